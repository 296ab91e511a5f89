// Worker-thread entry for the piscina pool: the same work functions the main thread runs.
import { runLanguage, scanFiles, sitesFor, type LanguageInput, type RunSpec, type SiteShare } from './work.js';

/** Pass 0 of a share of one language's files. */
export async function scan(input: LanguageInput) {
  return scanFiles(input);
}

/** The sites of a language (or a share of its site files), from its merged pass 0. */
export async function sites(task: { spec: RunSpec; share?: SiteShare }) {
  return sitesFor(task.spec, task.share);
}

/** A whole language in this thread (one job). */
export async function language(input: LanguageInput) {
  return runLanguage(input);
}
