/**
 * Scanner for the CLIF text format (ir/). Scannerless in style: the parser asks
 * for the token kind it expects next (a word, a literal, a punctuation mark) at
 * the current position, after whitespace and `;` comments are skipped. Comments
 * are handed to an optional hook so the file parser can collect `; run:` lines.
 * Positions are tracked as offset + line; columns are computed only for errors.
 */

export class ClifSyntaxError extends Error {
  constructor(readonly line: number, readonly col: number, readonly msg: string, readonly file = '') {
    super(`${file === '' ? '' : file + ':'}${line}:${col}: ${msg}`);
    this.name = 'ClifSyntaxError';
  }
}

const WORD_RE = /[A-Za-z_][A-Za-z0-9_.]*/y;
const NAME_RE = /%[A-Za-z0-9_.$]*/y;
const INT_RE = /[+-]?(?:0x[0-9a-fA-F_]+|[0-9][0-9_]*)(?![.0-9A-Za-z_])/y;
const FLOAT_RE = /[+-]?(?:Inf|s?NaN(?::0x[0-9a-fA-F_]+)?|0x[0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:p[+-]?[0-9]+)?|[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?)(?![A-Za-z0-9_.])/y;
const NUM_RE = /[0-9]+/y;

/** Largest entity number accepted in text (keeps dense tables bounded). */
export const MAX_ENTITY = 0xffffff;

export class Lexer {
  pos = 0;
  line = 1;
  /** Offset where the current line starts (for columns). */
  lineStart = 0;
  onComment: ((text: string, line: number) => void) | undefined;

  constructor(readonly src: string, readonly file = '') {}

  /** Skip whitespace and comments. */
  skip(): void {
    const s = this.src;
    let p = this.pos;
    for (;;) {
      const c = s.charCodeAt(p);
      if (c === 10) { p++; this.line++; this.lineStart = p; continue; }
      if (c === 32 || c === 9 || c === 13) { p++; continue; }
      if (c === 59 /* ; */) {
        let e = s.indexOf('\n', p);
        if (e < 0) e = s.length;
        if (this.onComment !== undefined) this.onComment(s.slice(p, e), this.line);
        p = e;
        continue;
      }
      break;
    }
    this.pos = p;
  }

  /** Position of the next token (after whitespace and comments). */
  mark(): number { this.skip(); return this.pos; }

  atEnd(): boolean { this.skip(); return this.pos >= this.src.length; }

  error(msg: string, pos = this.pos): ClifSyntaxError {
    // recompute line/col for `pos` (may be before the current position)
    let line = 1, ls = 0;
    for (let i = 0; i < pos && i < this.src.length; i++) if (this.src.charCodeAt(i) === 10) { line++; ls = i + 1; }
    return new ClifSyntaxError(line, pos - ls + 1, msg, this.file);
  }

  peekChar(): string { this.skip(); return this.src[this.pos] ?? ''; }

  /** Consume punctuation `p` if next; returns whether it did. */
  eat(p: string): boolean {
    this.skip();
    if (this.src.startsWith(p, this.pos)) { this.pos += p.length; return true; }
    return false;
  }

  expect(p: string, what?: string): void {
    if (!this.eat(p)) throw this.error(`expected '${p}'${what !== undefined ? ' ' + what : ''}, found ${this.describe()}`);
  }

  private sticky(re: RegExp): string | undefined {
    this.skip();
    re.lastIndex = this.pos;
    const m = re.exec(this.src);
    if (m === null) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  private peekSticky(re: RegExp): string | undefined {
    this.skip();
    re.lastIndex = this.pos;
    const m = re.exec(this.src);
    return m === null ? undefined : m[0];
  }

  word(): string | undefined { return this.sticky(WORD_RE); }
  peekWord(): string | undefined { return this.peekSticky(WORD_RE); }
  expectWord(what: string): string {
    const w = this.word();
    if (w === undefined) throw this.error(`expected ${what}, found ${this.describe()}`);
    return w;
  }
  name(): string | undefined { return this.sticky(NAME_RE); }
  intLit(): string | undefined { return this.sticky(INT_RE); }
  floatLit(): string | undefined { return this.sticky(FLOAT_RE); }
  decimal(): number | undefined { const s = this.sticky(NUM_RE); return s === undefined ? undefined : Number(s); }

  /** Consume a word of the form `<prefix><digits>` (v12, block3, ss0) and return the number. */
  entity(prefix: string): number | undefined {
    this.skip();
    const save = this.pos, sl = this.line, sls = this.lineStart;
    const w = this.word();
    if (w !== undefined && w.startsWith(prefix)) {
      const rest = w.slice(prefix.length);
      if (/^[0-9]+$/.test(rest)) {
        const n = Number(rest);
        if (n > MAX_ENTITY) throw this.error(`entity number too large: ${w}`, save);
        return n;
      }
    }
    this.pos = save; this.line = sl; this.lineStart = sls;
    return undefined;
  }

  peekEntity(prefix: string): number | undefined {
    const w = this.peekWord();
    if (w !== undefined && w.startsWith(prefix)) {
      const rest = w.slice(prefix.length);
      if (/^[0-9]+$/.test(rest)) return Number(rest);
    }
    return undefined;
  }

  /** Rest of the current line (header lines `test`, `set`, `target`). */
  restOfLine(): string {
    const s = this.src;
    let e = s.indexOf('\n', this.pos);
    if (e < 0) e = s.length;
    const semi = s.indexOf(';', this.pos);
    const end = semi >= 0 && semi < e ? semi : e;
    const text = s.slice(this.pos, end).trim();
    this.pos = end;
    return text;
  }

  describe(): string {
    this.skip();
    if (this.pos >= this.src.length) return 'end of file';
    const m = /[^\s]*/y;
    m.lastIndex = this.pos;
    const t = m.exec(this.src)![0];
    return `'${t.length > 20 ? t.slice(0, 20) + '…' : t}'`;
  }
}
