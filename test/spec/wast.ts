/**
 * Spec-suite command loader and reporter (library, no tests here).
 *
 * Reads the wast2json `.json` command lists under ../shared/spec (format described in
 * shared/spec/README.md), iterates the commands of a script in order, and hands each
 * to a per-command hook that returns pass / fail / skip. Today the hook only decodes
 * and validates modules (test/spec/core-2.0.test.ts); the execution stages will plug a
 * hook that instantiates and invokes, reusing the loader and the report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WastValue {
  type: string;
  value?: string | string[];
  lane_type?: string;
}

export interface WastAction {
  type: 'invoke' | 'get';
  module?: string;
  field: string;
  args?: WastValue[];
}

export interface WastCommand {
  type: string;
  line: number;
  filename?: string;
  module_type?: 'binary' | 'text';
  text?: string;
  name?: string;
  as?: string;
  action?: WastAction;
  expected?: WastValue[];
  either?: WastValue[];
}

export interface WastScript {
  /** Folder holding the script's module files. */
  dir: string;
  jsonPath: string;
  /** Path relative to the suite root, for reports. */
  label: string;
  sourceFilename: string;
  commands: WastCommand[];
}

export type Outcome = 'pass' | 'fail' | 'skip';

export interface CommandResult {
  outcome: Outcome;
  message?: string;
}

export type CommandHook = (cmd: WastCommand, script: WastScript) => CommandResult;

/**
 * A stage of the runner with per-script state (an executing stage keeps the registry
 * of instances and the current module between commands): `begin` runs before the
 * first command of a script, `end` after the last.
 */
export interface ScriptHooks {
  begin?(script: WastScript): void;
  command: CommandHook;
  end?(script: WastScript): void;
}

/** All `.json` scripts under `root` (recursive), sorted, optionally filtered by substring. */
export function findScripts(root: string, filter?: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json') && (!filter || p.includes(filter))) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

export function loadScript(jsonPath: string, root: string = path.dirname(jsonPath)): WastScript {
  const j = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as { source_filename: string; commands: WastCommand[] };
  return {
    dir: path.dirname(jsonPath),
    jsonPath,
    label: path.relative(root, jsonPath),
    sourceFilename: j.source_filename,
    commands: j.commands,
  };
}

/** Bytes of a command's module file. */
export function moduleBytes(script: WastScript, cmd: WastCommand): Uint8Array {
  if (cmd.filename === undefined) throw new Error(`${script.label}:${cmd.line}: command has no module file`);
  return fs.readFileSync(path.join(script.dir, cmd.filename));
}

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export interface Failure {
  file: string;
  line: number;
  type: string;
  message: string;
}

export class SpecReport {
  readonly perFile = new Map<string, Counts>();
  readonly perType = new Map<string, Counts>();
  readonly failures: Failure[] = [];
  readonly total: Counts = { passed: 0, failed: 0, skipped: 0 };

  add(script: WastScript, cmd: WastCommand, res: CommandResult): void {
    const f = counts(this.perFile, script.label);
    const t = counts(this.perType, cmd.type);
    const key = res.outcome === 'pass' ? 'passed' : res.outcome === 'fail' ? 'failed' : 'skipped';
    f[key]++;
    t[key]++;
    this.total[key]++;
    if (res.outcome === 'fail') {
      this.failures.push({ file: script.label, line: cmd.line, type: cmd.type, message: res.message ?? '' });
    }
  }

  /** One `N passed, M failed` line per file, a table per command type, then the total. */
  format(opts: { files?: boolean; maxFailures?: number } = {}): string {
    const lines: string[] = [];
    if (opts.files !== false) {
      for (const [file, c] of this.perFile) lines.push(`${file}: ${c.passed} passed, ${c.failed} failed${c.skipped ? `, ${c.skipped} skipped` : ''}`);
    }
    for (const [type, c] of [...this.perType].sort()) {
      lines.push(`  ${type.padEnd(24)} ${String(c.passed).padStart(6)} passed ${String(c.failed).padStart(5)} failed ${String(c.skipped).padStart(6)} skipped`);
    }
    const max = opts.maxFailures ?? 20;
    for (const f of this.failures.slice(0, max)) lines.push(`  FAIL ${f.file}:${f.line} ${f.type}: ${f.message}`);
    if (this.failures.length > max) lines.push(`  ... ${this.failures.length - max} more failures`);
    lines.push(`${this.total.passed} passed, ${this.total.failed} failed`);
    return lines.join('\n');
  }
}

function counts(m: Map<string, Counts>, k: string): Counts {
  let c = m.get(k);
  if (c === undefined) {
    c = { passed: 0, failed: 0, skipped: 0 };
    m.set(k, c);
  }
  return c;
}

/** Run every command of a script through the hook; a hook that throws counts as a failure. */
export function runScript(script: WastScript, hooks: CommandHook | ScriptHooks, report: SpecReport): void {
  const h: ScriptHooks = typeof hooks === 'function' ? { command: hooks } : hooks;
  h.begin?.(script);
  for (const cmd of script.commands) {
    let res: CommandResult;
    try {
      res = h.command(cmd, script);
    } catch (e) {
      res = { outcome: 'fail', message: `hook threw: ${(e as Error).stack ?? String(e)}` };
    }
    report.add(script, cmd, res);
  }
  h.end?.(script);
}
