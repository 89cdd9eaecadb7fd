/**
 * The `derrick` command. Subcommands register here; each lives with its subsystem.
 */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'clif':
      return (await import('./tools/clif')).clifMain(rest);
    case 'validate':
      return (await import('./wasm/cli')).validateCommand(rest);
    default:
      process.stderr.write(`usage: derrick <command> ...\n`);
      return cmd === undefined || cmd === 'help' ? 0 : 2;
  }
}
