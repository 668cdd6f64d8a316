import type { Command } from 'commander';
import { AccountService } from '../accounts/account-service';
import { operatorAccount } from '../admin-auth/first-admin';
import { accountCreateSchema } from '../../src-shared/schemas/accounts';
import { ApiError } from '../../src-shared/errors';
import { systemActor } from '../kernel/actor';
import { readStdin } from './options';
import { withLockedStore } from './locked-store';

export function registerAdminCommand(program: Command): void {
  const admin = program.command('admin').description('Manage operator accounts from the command line');
  admin
    .command('create')
    .description('Create an administrator (or observer) account')
    .requiredOption('--data-dir <dir>', 'folder holding cas.db and master.key', process.env.CAS_DATA_DIR)
    .requiredOption('--username <name>', 'the new operator')
    .option('--role <role>', 'admin or observer', 'admin')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (options: { dataDir: string; username: string; role: string; passwordStdin?: boolean }) => {
      if (!options.passwordStdin) {
        console.error('Give the password on standard input with --password-stdin (it never goes on the command line)');
        process.exit(2);
      }
      const password = await readStdin();
      const parsed = accountCreateSchema.safeParse({ username: options.username, password, role: options.role });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        console.error(`${issue.path.join('.') || 'input'}: ${issue.message}`);
        process.exit(2);
      }
      const { username, role, comment } = parsed.data;
      if (role === 'user') {
        console.error('role: admin or observer');
        process.exit(2);
      }
      await withLockedStore(options.dataDir, async ({ ctx }) => {
        try {
          const account = await new AccountService(ctx).create(operatorAccount({ username, password, role, comment }), systemActor);
          console.log(`Created ${account.role} "${account.username}" (id ${account.id})`);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          console.error(error.message);
          process.exitCode = 1;
        }
      });
    });
}
