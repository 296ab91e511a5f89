// Worker-thread entry for the piscina pool: the same work functions the main thread runs.
import { runLanguage, type LanguageInput } from './work.js';

/** A whole language in this thread (one job). */
export async function language(input: LanguageInput) {
  return runLanguage(input);
}
