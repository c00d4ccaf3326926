import * as fs from 'fs';

let names: Map<number, string> | undefined;

/** The login name of a uid from /etc/passwd (read once), or the number when unknown. */
export function userName(uid: number): string {
  names ??= readPasswd();
  return names.get(uid) ?? String(uid);
}

function readPasswd(): Map<number, string> {
  const result = new Map<number, string>();
  try {
    for (const line of fs.readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const [name, , uid] = line.split(':');
      if (name && uid && /^\d+$/.test(uid) && !result.has(Number(uid))) {
        result.set(Number(uid), name);
      }
    }
  } catch {
    // No passwd (containers, non-Linux): numbers are shown instead.
  }
  return result;
}
