// Worker-thread entry for the piscina pool: the same work functions the main thread runs.
import { factsFor, runLanguage, sitesFor, type LanguageInput, type RunSpec } from './work.js';

export async function facts(task: { spec: RunSpec; files: string[] }): Promise<unknown> {
  return factsFor(task.spec, task.files);
}

export async function sites(task: { spec: RunSpec; files: string[]; facts?: unknown }) {
  return sitesFor(task.spec, task.files, task.facts);
}

/** A whole language in this thread, while the main thread runs another. */
export async function language(input: LanguageInput) {
  return runLanguage(input, true);
}

/** Pass 0 and the plan of a language whose facts and sites are then sharded. */
export async function plan(input: LanguageInput) {
  return runLanguage(input, false);
}
