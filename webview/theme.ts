// Colours come from VS Code's theme variables only. Canvas drawing (the chart) cannot use CSS
// variables directly, so it reads their computed values and reads them again on a theme change.

/** The computed value of a `--vscode-*` variable, or `fallback` when the theme does not set it. */
export function themeColor(variable: `--vscode-${string}`, fallback: string): string {
  const value = getComputedStyle(document.body).getPropertyValue(variable).trim();
  return value || fallback;
}

/** The editor font as a canvas `font` value, at `scale` times the editor UI font size. */
export function themeFont(scale = 1): string {
  const style = getComputedStyle(document.body);
  const family = style.getPropertyValue('--vscode-font-family').trim() || 'sans-serif';
  const size = parseFloat(style.getPropertyValue('--vscode-font-size')) || 13;
  return `${Math.round(size * scale)}px ${family}`;
}

/** `color` at opacity `alpha`, for hex (#rgb, #rrggbb, #rrggbbaa) and rgb()/rgba() colours; others unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3,8})$/i.exec(color.trim());
  if (hex) {
    let digits = hex[1];
    if (digits.length === 3 || digits.length === 4) {
      digits = [...digits].map((d) => d + d).join('');
    }
    if (digits.length === 6 || digits.length === 8) {
      const [r, g, b] = [0, 2, 4].map((i) => parseInt(digits.slice(i, i + 2), 16));
      const a = digits.length === 8 ? parseInt(digits.slice(6, 8), 16) / 255 : 1;
      return `rgba(${r}, ${g}, ${b}, ${+(a * alpha).toFixed(3)})`;
    }
  }
  const rgb = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:[,\s/]+([\d.]+%?))?\s*\)$/i.exec(color.trim());
  if (rgb) {
    const a = rgb[4] === undefined ? 1 : rgb[4].endsWith('%') ? parseFloat(rgb[4]) / 100 : parseFloat(rgb[4]);
    return `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${+(a * alpha).toFixed(3)})`;
  }
  return color;
}

/** Whether the current theme is a high contrast one (outlines matter more than fills there). */
export function isHighContrast(): boolean {
  return (
    document.body.classList.contains('vscode-high-contrast') ||
    document.body.classList.contains('vscode-high-contrast-light')
  );
}

/**
 * Calls `listener` after the theme changed. VS Code marks the kind on the body class
 * (vscode-light / vscode-dark / vscode-high-contrast) and puts the variables in the style attribute
 * of <html>, which also changes between two themes of the same kind.
 */
export function onThemeChange(listener: () => void): () => void {
  let scheduled = false;
  const observer = new MutationObserver(() => {
    if (!scheduled) {
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        listener();
      });
    }
  });
  observer.observe(document.body, {
    attributes: true,
    attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-id'],
  });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => observer.disconnect();
}
