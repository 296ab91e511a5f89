// Text tests that say, before anything is parsed, which function bodies the passes over a seed
// file will mirror. The passes use them to skip bodies; the pre-parse thread uses the same tests
// to record those bodies from the whole-file tree it already has (parse.ts, BodyWanted), so that
// the analysis does not parse them again. One definition keeps the two in step. A file loaded
// for a name (a callee's definition, a factory's callers) gets the same for that name's functions.
import type { BodyWanted } from './parse.js';
import type { LoadReason } from './project.js';

/** A call of a socket API or of a project alias of one, in a body (findSites). */
export function siteCallHint(names: Iterable<string>): RegExp {
  const words = [...names].map((n) => n.replace(/[^\w]/g, '')).filter(Boolean);
  return words.length ? new RegExp(`\\b(${words.join('|')})\\s*\\(`) : /(?!)/;
}

/** setsockopt/connect/listen, or a descriptor field handed on, in a function (fieldUses). */
export const FIELD_USE_HINT = /\b(setsockopt|connect|listen)\s*\(|(->|\.)\w*(fd|sock|socket|sd)\s*[,)]/i;

/** A #define inside a function body (buildFileScope). */
export const DEFINE_HINT = /^[ \t]*#[ \t]*define\b/m;

/**
 * A parameter that is likely a descriptor (`int fd`, `curl_socket_t s`, `int sock`): the analysis
 * follows descriptors into the functions they are passed to (paramEffects).
 */
export const DESCRIPTOR_PARAM_HINT = /[(,]\s*(const\s+)?(int|\w*socket_t|SOCKET)\s+(\w*fd|fd\w*|\w*sock\w*|s|sd)\s*[,)]/;

/** Whether the passes over a seed file will mirror this function's body (see above). */
export function seedPassesRead(text: string, fn: { start: number; end: number }, body: { start: number; end: number }, siteHint: RegExp): boolean {
  const bodyText = text.slice(body.start, body.end);
  return siteHint.test(bodyText) || DEFINE_HINT.test(bodyText) || FIELD_USE_HINT.test(text.slice(fn.start, fn.end)) || DESCRIPTOR_PARAM_HINT.test(text.slice(fn.start, body.start));
}

/**
 * For `text`, loaded for one name (project.ts, LoadReason): the bodies the analysis reads next,
 * those of the functions that define it (the name in the declarator) or that call it, and, as
 * in a seed file, those that take a descriptor parameter.
 */
export function reasonReads(text: string, reason: LoadReason): BodyWanted | undefined {
  const word = reason.name.replace(/[^\w]/g, '');
  if (!word) return undefined;
  const call = new RegExp(`\\b${word}\\s*\\(`);
  return (fn, body) => {
    const declarator = text.slice(fn.start, body.start);
    const named = call.test(reason.role === 'defines' ? declarator : text.slice(body.start, body.end));
    return named || DESCRIPTOR_PARAM_HINT.test(declarator);
  };
}
