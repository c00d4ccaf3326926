import * as crypto from 'crypto';
import * as vscode from 'vscode';
import { webviewPage } from '../shared/webviewPage';

/** Where webview code and styles may be loaded from: the build output and media/ only. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
  };
}

/** The page of a webview panel or view: the shared styles, then the bundle's own. */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  bundle: 'inspect' | 'debugView' | 'recording' | 'compare',
  title: string,
): string {
  const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  return webviewPage({
    cspSource: webview.cspSource,
    nonce: crypto.randomBytes(16).toString('base64'),
    title,
    styles: [asset('media', 'webview.css'), asset('dist', 'webview', `${bundle}.css`)],
    scripts: [asset('dist', 'webview', `${bundle}.js`)],
  });
}
