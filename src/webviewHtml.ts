import * as crypto from 'crypto';
import * as vscode from 'vscode';

/** Where webview code and styles may be loaded from: the build output and media/ only. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/**
 * The page of a webview: an empty body that the bundled script fills. The CSP allows no inline
 * script or style; scripts only with this page's nonce, styles and fonts only from the extension.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: 'inspect' | 'debugView', title: string): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  const csp = [
    "default-src 'none'",
    // The one hash is of the empty string: FAST (the webview toolkit) inserts an empty <style> to
    // detect :focus-visible support; allowing only that keeps focus rings right without inline CSS.
    `style-src ${webview.cspSource} 'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='`,
    `font-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset('media', 'webview.css')}">
<link rel="stylesheet" href="${asset('dist', 'webview', `${bundle}.css`)}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="app"></main>
<script nonce="${nonce}" src="${asset('dist', 'webview', `${bundle}.js`)}"></script>
</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
