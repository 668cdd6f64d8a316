import { Command } from 'commander';
import { appVersion } from '../kernel/version';
import { registerServeCommand } from './serve-command';
import { registerAdminCommand } from './admin-command';
import { registerKeyInfoCommand } from './keyinfo-command';
import { registerRekeyCommand } from './rekey-command';
import { registerClientCommand } from './client-command';
import { registerBackupCommands } from './backup-command';
import { registerConfigCommands } from './config-command';

function buildProgram(): Command {
  const program = new Command('cas-studio')
    .description('IPTV CAS Studio: conditional access for IPTV operators')
    .version(appVersion());
  registerServeCommand(program);
  registerAdminCommand(program);
  registerKeyInfoCommand(program);
  registerRekeyCommand(program);
  registerClientCommand(program);
  registerBackupCommands(program);
  registerConfigCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}

if (require.main === module) {
  main(process.argv).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
