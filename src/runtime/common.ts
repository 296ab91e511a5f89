// Shared by doctor and live: exit codes (the same contract as the audit) and small formatting.

export const RUNTIME_EXIT = { clean: 0, findings: 1, error: 2 } as const;

export type RuntimeFormat = 'stylish' | 'json';
export const RUNTIME_FORMATS: readonly RuntimeFormat[] = ['stylish', 'json'];

/** "7875 s (2 h 11 min 15 s)"; plain "110 s" under two minutes. */
export function formatDuration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const parts = [h ? `${h} h` : '', m ? `${m} min` : '', s ? `${s} s` : ''].filter(Boolean);
  return `${seconds} s (${parts.join(' ')})`;
}
