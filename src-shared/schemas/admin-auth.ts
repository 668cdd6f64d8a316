import { z } from 'zod';
import { passwordSchema, roleSchema, usernameSchema } from './accounts';

export const loginRequestSchema = z
  .object({ username: z.string().trim().min(1, 'Required').max(64), password: z.string().min(1, 'Required').max(256) })
  .strict();

export const sessionUserSchema = z.object({ id: z.number().int(), username: z.string(), role: roleSchema });
export type SessionUser = z.infer<typeof sessionUserSchema>;

export const loginResponseSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: sessionUserSchema,
});
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/** `GET /api/admin/me`: the operator behind this session or API key. */
export const currentOperatorSchema = sessionUserSchema.extend({ kind: z.enum(['session', 'api-key']) });
export type CurrentOperator = z.infer<typeof currentOperatorSchema>;

export const setupStatusSchema = z.object({ needsSetup: z.boolean() });
export type SetupStatus = z.infer<typeof setupStatusSchema>;

export const setupRequestSchema = z.object({ username: usernameSchema, password: passwordSchema }).strict();
