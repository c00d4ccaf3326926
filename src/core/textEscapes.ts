/** Escapes text for a MarkdownString, so a process name cannot add links, HTML or icons. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+\-.!|~>$]/g, (char) => `\\${char}`)
    .replace(/</g, '&lt;')
    .replace(/\r?\n/g, ' ');
}

/** Quick pick labels and status bar text render `$(name)` as icons; a process name must show as typed. */
export function escapeIcons(text: string): string {
  return text.replace(/\$\(/g, '\\$(');
}

/**
 * Notifications turn `[text](command:…)` into links; a zero-width space after each `]` keeps a
 * process name from becoming one while it still reads as typed.
 */
export function escapeNotificationLinks(text: string): string {
  return text.replace(/\]/g, ']\u200b');
}

/** Control characters (escape sequences) shown as `\xNN`: a command line is shown as text, never run by a terminal. */
export function visibleText(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f]/g,
    (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}
