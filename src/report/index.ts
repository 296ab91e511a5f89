// The printer registry: adding a format is one file plus one line here.
import { github } from './github.js';
import { json } from './json.js';
import type { Printer } from './printer.js';
import { sarif } from './sarif.js';
import { stylish } from './stylish.js';

const PRINTERS: Record<string, Printer> = { stylish, json, sarif, github };

export function printerFor(name: string): Printer | undefined {
  return PRINTERS[name];
}

export function printerNames(): string[] {
  return Object.keys(PRINTERS);
}


export type { Printer };
