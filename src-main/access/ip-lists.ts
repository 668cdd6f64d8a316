import type { CasContext } from '../kernel/context';
import { isoFromMs } from '../kernel/clock';
import { recordAudit } from '../audit/audit-log';
import { type Actor } from '../kernel/actor';
import { statement } from '../db/statements';
import { ConflictError, NotFoundError, ValidationError } from '../../src-shared/errors';
import { formatIpRange, ipInRange, parseIpRange, type IpRange } from '../../src-shared/net/ip-ranges';
import type { IpRule, ipRuleCreateSchema } from '../../src-shared/schemas/access';
import type { z } from 'zod';
import type ipaddr from 'ipaddr.js';

interface IpRuleRow {
  id: number;
  list: 'allow' | 'deny';
  range: string;
  comment: string;
  created_at: number;
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

export function anyRangeMatches(address: Address | null, ranges: readonly IpRange[]): IpRange | undefined {
  if (!address) return undefined;
  for (const range of ranges) if (ipInRange(address, range)) return range;
  return undefined;
}

/**
 * The allow list (addresses that need no authorization) and the deny list (refused even with a
 * valid credential), held in memory and changed through the admin API.
 */
export class IpLists {
  #allow: IpRange[] = [];
  #deny: IpRange[] = [];

  constructor(private readonly ctx: CasContext) {
    this.#load();
  }

  denied(address: Address | null): IpRange | undefined {
    return anyRangeMatches(address, this.#deny);
  }

  allowed(address: Address | null): IpRange | undefined {
    return anyRangeMatches(address, this.#allow);
  }

  list(list?: 'allow' | 'deny'): IpRule[] {
    const rows = (
      list
        ? statement(this.ctx.db, 'SELECT * FROM ip_rules WHERE list = ? ORDER BY id').all(list)
        : statement(this.ctx.db, 'SELECT * FROM ip_rules ORDER BY list, id').all()
    ) as IpRuleRow[];
    return rows.map(toRule);
  }

  add(input: z.output<typeof ipRuleCreateSchema>, actor: Actor): IpRule {
    const range = parseIpRange(input.range);
    if (!range) throw new ValidationError('invalid_ip_range', { field: 'range', range: input.range }, `range: "${input.range}" is not an IP address or CIDR network`, 'range');
    const text = formatIpRange(range);
    const { db, clock } = this.ctx;
    const id = db.transaction(() => {
      if (statement(db, 'SELECT 1 FROM ip_rules WHERE list = ? AND range = ?').get(input.list, text)) {
        throw new ConflictError('ip_range_listed', { range: text, list: input.list }, `${text} is already on the ${input.list} list`, 'range');
      }
      const now = clock.now();
      const result = statement(db, 'INSERT INTO ip_rules (list, range, comment, created_at) VALUES (?, ?, ?, ?)').run(
        input.list,
        text,
        input.comment,
        now,
      );
      const newId = Number(result.lastInsertRowid);
      recordAudit(db, now, actor, { action: `access.${input.list}.add`, targetType: 'ip_rule', targetId: newId, summary: { range: text, comment: input.comment } });
      return newId;
    })();
    this.#load();
    return toRule(statement(db, 'SELECT * FROM ip_rules WHERE id = ?').get(id) as IpRuleRow);
  }

  remove(id: number, actor: Actor): void {
    const { db, clock } = this.ctx;
    db.transaction(() => {
      const row = statement(db, 'SELECT * FROM ip_rules WHERE id = ?').get(id) as IpRuleRow | undefined;
      if (!row) throw new NotFoundError('ip_rule_not_found', { id }, 'IP rule not found');
      statement(db, 'DELETE FROM ip_rules WHERE id = ?').run(id);
      recordAudit(db, clock.now(), actor, { action: `access.${row.list}.remove`, targetType: 'ip_rule', targetId: id, summary: { range: row.range } });
    })();
    this.#load();
  }

  #load(): void {
    const rows = statement(this.ctx.db, 'SELECT * FROM ip_rules').all() as IpRuleRow[];
    const allow: IpRange[] = [];
    const deny: IpRange[] = [];
    for (const row of rows) {
      const range = parseIpRange(row.range);
      if (range) (row.list === 'allow' ? allow : deny).push(range);
    }
    this.#allow = allow;
    this.#deny = deny;
  }
}

function toRule(row: IpRuleRow): IpRule {
  return { id: row.id, list: row.list, range: row.range, comment: row.comment, createdAt: isoFromMs(row.created_at) };
}
