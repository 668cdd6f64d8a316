import type { AccountService } from '../accounts/account-service';
import { systemActor } from '../kernel/actor';
import { ConflictError } from '../../src-shared/errors';
import type { AccountDetail, AccountCreateParsed } from '../../src-shared/schemas/accounts';
import type { AdminSessions } from './admin-sessions';

/** An operator account: signs in with a password, holds no package, no connection or device limit. */
export function operatorAccount(fields: { username: string; password: string; role: 'admin' | 'observer'; comment: string }): AccountCreateParsed {
  return {
    ...fields,
    packages: [],
    maxConnections: 0,
    maxDevices: 0,
    expiresAt: null,
    allowedIps: [],
    email: null,
    enabled: true,
  };
}

/**
 * Creates the first administrator, only while there is none (the setup page, or
 * `CAS_ADMIN_PASSWORD` on the first `serve`); a ConflictError once one exists.
 */
export async function createFirstAdmin(
  sessions: AdminSessions,
  accounts: AccountService,
  credentials: { username: string; password: string },
  comment: string,
): Promise<AccountDetail> {
  if (sessions.hasAdmin()) throw new ConflictError('admin_exists', {}, 'An administrator exists already; sign in instead');
  return accounts.create(operatorAccount({ ...credentials, role: 'admin', comment }), systemActor);
}
