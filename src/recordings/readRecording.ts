import * as vscode from 'vscode';
import { MAX_RECORDING_BYTES, ParsedRecording, parseRecording } from './recordingFile';
import { MiB } from '../../shared/units';

/** The last part of a URI's path: how a recording is named to people. */
export function fileName(uri: vscode.Uri): string {
  return uri.path.slice(uri.path.lastIndexOf('/') + 1);
}

/** Reads and checks a recording file: its size before anything else, then its content. */
export async function readRecordingFile(uri: vscode.Uri): Promise<ParsedRecording> {
  try {
    const stat = await vscode.workspace.fs.stat(uri);
    if (stat.size > MAX_RECORDING_BYTES) {
      return {
        ok: false,
        reason: `The file is ${(stat.size / MiB).toFixed(1)} MiB; a recording may be at most ${MAX_RECORDING_BYTES / MiB} MiB, so it was not read.`,
      };
    }
    return parseRecording(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
  } catch (error) {
    return {
      ok: false,
      reason: `The file could not be read: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}
