// Reading the kernel's view of a TCP connection with `ss -tno`: is a keepalive timer running,
// and how long until it fires. Shared by the C and Node run-time tests.
import { execFileSync } from 'node:child_process';

export interface SocketTimer {
  line: string;
  /** `keepalive`, `on` (retransmit), `persist`… or undefined when no timer runs. */
  kind?: string;
  /** Seconds until the timer fires. */
  seconds?: number;
}

/** The `ss` line for the established connection local → peer (both 127.0.0.1 ports). */
export function timerOf(localPort: number, peerPort: number): SocketTimer | undefined {
  const out = execFileSync('ss', ['-tno', 'state', 'established'], { encoding: 'utf8' });
  const line = out
    .split('\n')
    .find((l) => new RegExp(`127\\.0\\.0\\.1:${localPort}\\s+127\\.0\\.0\\.1:${peerPort}(\\s|$)`).test(l));
  if (!line) return undefined;
  const m = /timer:\((\w+),(?:(\d+)min)?(?:(\d+(?:\.\d+)?)sec|(\d+)ms)?/.exec(line);
  if (!m) return { line };
  const seconds = (m[2] ? Number(m[2]) * 60 : 0) + (m[3] ? Number(m[3]) : 0) + (m[4] ? Number(m[4]) / 1000 : 0);
  return { line, kind: m[1]!, seconds };
}

/** Polls until the connection shows up (the kernel may lag the user-space event slightly). */
export async function waitForTimer(localPort: number, peerPort: number, ms = 3000): Promise<SocketTimer | undefined> {
  const until = Date.now() + ms;
  for (;;) {
    const t = timerOf(localPort, peerPort);
    if (t || Date.now() > until) return t;
    await new Promise((r) => setTimeout(r, 50));
  }
}
