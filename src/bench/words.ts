// Vocabulary for generated identifiers. None of these words is a C or TS keyword, and none
// names a socket API, so filler code never holds a site by accident.

export const NOUNS = [
  'buffer', 'entry', 'node', 'list', 'table', 'key', 'value', 'item', 'record', 'chunk',
  'block', 'frame', 'header', 'token', 'queue', 'pool', 'cache', 'slot', 'page', 'segment',
  'range', 'event', 'timer', 'job', 'task', 'request', 'reply', 'session', 'config', 'option',
  'stat', 'counter', 'metric', 'path', 'name', 'field', 'column', 'row', 'index', 'map',
  'tree', 'heap', 'stack', 'ring', 'arena', 'string', 'vector', 'bucket', 'digest', 'payload',
  'message', 'channel', 'stream', 'peer', 'route', 'rule', 'filter', 'module', 'plugin', 'worker',
  'thread', 'lock', 'signal', 'handler', 'context', 'state', 'batch', 'cursor', 'snapshot', 'journal',
  'ledger', 'schema', 'query', 'result', 'policy', 'quota', 'limit', 'window', 'epoch', 'lease',
  'shard', 'replica', 'backlog', 'upstream', 'backend', 'origin', 'tenant', 'account', 'user', 'group',
  'credential', 'cookie', 'header', 'body', 'trailer', 'blob', 'object', 'bitmap', 'bloom', 'sketch',
];

export const VERBS = [
  'init', 'free', 'reset', 'push', 'pop', 'find', 'lookup', 'insert', 'remove', 'update',
  'parse', 'format', 'encode', 'decode', 'append', 'resize', 'grow', 'shrink', 'flush', 'load',
  'store', 'read', 'write', 'copy', 'compare', 'hash', 'validate', 'check', 'dump', 'print',
  'next', 'prev', 'clear', 'merge', 'split', 'sort', 'scan', 'match', 'emit', 'apply',
  'release', 'acquire', 'attach', 'detach', 'refresh', 'expire', 'evict', 'touch', 'count', 'sum',
  'drain', 'fill', 'rotate', 'compact', 'serialize', 'restore', 'register', 'notify', 'dispatch', 'collect',
];

export const ADJECTIVES = [
  'max', 'min', 'default', 'initial', 'pending', 'active', 'idle', 'stale', 'dirty', 'shared',
  'local', 'remote', 'primary', 'secondary', 'fast', 'slow', 'small', 'large', 'raw', 'cached',
];

export const COMMENTS = [
  'Keep the list sorted so lookups can stop early.',
  'The caller owns the returned memory.',
  'Fast path: nothing to do when the entry is already current.',
  'This mirrors the layout used on disk; do not reorder.',
  'Values above the limit are clamped rather than rejected.',
  'Called with the lock held.',
  'Not thread-safe: callers serialize access.',
  'Returns 0 on success, a negative error code otherwise.',
  'Walk the chain until an empty slot turns up.',
  'Grow geometrically to keep appends amortized O(1).',
  'The checksum covers the header and the payload.',
  'Legacy format: version 1 records have no trailer.',
  'Retry once; a second failure is reported to the caller.',
  'Release everything in reverse order of acquisition.',
  'Empty input is valid and yields an empty result.',
  'See the design notes for why this is not cached.',
  'Timestamps are monotonic milliseconds.',
  'Zero means unlimited.',
  'TODO: make this configurable.',
  'XXX: revisit when the old clients are gone.',
];

/** Near-miss mentions: the words grep and a text prefilter see in code that opens no socket. */
export const NEAR_MISS_COMMENTS = [
  'The connection layer owns the socket; this module only sees buffers.',
  'Accept-Encoding values are matched case-insensitively.',
  'Called after the socket is closed, so no I/O happens here.',
  'We accept both LF and CRLF line endings.',
  'Socket options are applied elsewhere (see the network layer).',
  'Reject names the parser would not accept.',
];

export const SYLLABLES = ['ka', 'zo', 'mi', 'ru', 've', 'to', 'ne', 'la', 'qu', 'xi', 'bo', 'fe', 'di', 'sa', 'po', 'gu', 'ny', 'wa', 'jo', 'he'];

export const MODULE_DIRS = ['core', 'util', 'io', 'proto', 'store', 'event', 'os', 'mod', 'lib', 'server', 'client', 'admin', 'stats', 'auth', 'cluster'];

export function camel(...parts: string[]): string {
  return parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join('');
}

export function pascal(...parts: string[]): string {
  return parts.map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
}
