// The C data catalog (rules/catalog/c.json), loaded once and turned into lookup sets.
import { readFileSync } from 'node:fs';
import { rulesDir } from '../../engine/paths.js';

export interface KeepaliveHelperSpec {
  name: string;
  socketArg: number;
  enableArg?: number;
  whenArg?: { index: number; equals: string };
  library?: string;
}

interface RawCatalog {
  sites: Record<string, { kind: 'socket' | 'accept'; domain?: number; type?: number; protocol?: number; listener?: number; address?: number }>;
  domains: { inet: string[]; notInet: string[] };
  types: { stream: string[]; flags: string[]; notStream: string[] };
  protocols: { tcp: string[]; notTcp: string[] };
  tcpLevels: string[];
  tcpOnlyOptions: string[];
  loopbackExpressions: string[];
  keepaliveHelpers: KeepaliveHelperSpec[];
  closeFunctions: string[];
  neutralFunctions: string[];
}

export interface CCatalog {
  sites: RawCatalog['sites'];
  inetDomains: Set<string>;
  notInetDomains: Set<string>;
  streamTypes: Set<string>;
  typeFlags: Set<string>;
  notStreamTypes: Set<string>;
  tcpProtocols: Set<string>;
  notTcpProtocols: Set<string>;
  tcpLevels: Set<string>;
  tcpOnlyOptions: Set<string>;
  loopback: string[];
  keepaliveHelpers: Map<string, KeepaliveHelperSpec>;
  closeFunctions: Set<string>;
  neutralFunctions: Set<string>;
}

let cached: CCatalog | undefined;

export function cCatalog(): CCatalog {
  if (cached) return cached;
  const raw = JSON.parse(readFileSync(`${rulesDir()}/catalog/c.json`, 'utf8')) as RawCatalog;
  cached = {
    sites: raw.sites,
    inetDomains: new Set(raw.domains.inet),
    notInetDomains: new Set(raw.domains.notInet),
    streamTypes: new Set(raw.types.stream),
    typeFlags: new Set(raw.types.flags),
    notStreamTypes: new Set(raw.types.notStream),
    tcpProtocols: new Set(raw.protocols.tcp),
    notTcpProtocols: new Set(raw.protocols.notTcp),
    tcpLevels: new Set(raw.tcpLevels),
    tcpOnlyOptions: new Set(raw.tcpOnlyOptions),
    loopback: raw.loopbackExpressions,
    keepaliveHelpers: new Map(raw.keepaliveHelpers.map((h) => [h.name, h])),
    closeFunctions: new Set(raw.closeFunctions),
    neutralFunctions: new Set(raw.neutralFunctions),
  };
  return cached;
}
