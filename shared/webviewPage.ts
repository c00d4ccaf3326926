// The HTML of every webview page, without `vscode`: the extension host fills in its resource
// URIs (webviewHtml.ts), and the webview dev server (webview/dev/devServer.ts) its local server's, so
// both run the bundles under the very same Content Security Policy.

export interface WebviewPageParts {
  /** Where styles and fonts may come from (the webview's cspSource). */
  cspSource: string;
  /** A fresh random nonce per page; only scripts carrying it run. */
  nonce: string;
  title: string;
  styles: readonly string[];
  scripts: readonly string[];
}

/** The hash of the empty string. */
const EMPTY_STYLE_HASH = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='";

/**
 * An empty body that the bundled script fills. No inline script or style: scripts only with the
 * nonce; styles and fonts only from the extension. The one hash is of the empty string: FAST (the
 * webview toolkit) inserts an empty <style> to detect :focus-visible support, and allowing only
 * that keeps focus rings right without allowing inline CSS.
 */
export function webviewPage(parts: WebviewPageParts): string {
  const csp = [
    "default-src 'none'",
    `style-src ${parts.cspSource} ${EMPTY_STYLE_HASH}`,
    `font-src ${parts.cspSource}`,
    `img-src ${parts.cspSource} data:`,
    `script-src 'nonce-${parts.nonce}'`,
  ].join('; ');
  const styles = parts.styles.map((href) => `<link rel="stylesheet" href="${escapeHtml(href)}">`).join('\n');
  const scripts = parts.scripts
    .map((src) => `<script nonce="${parts.nonce}" src="${escapeHtml(src)}"></script>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
<title>${escapeHtml(parts.title)}</title>
</head>
<body>
<main id="app"></main>
${scripts}
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
