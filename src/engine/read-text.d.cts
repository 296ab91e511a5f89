/** Same result as readFileSync(path, 'utf8'), read in pieces (read-text.cjs says why). */
export declare function readUtf8(path: string, pieceBytes?: number): string;
