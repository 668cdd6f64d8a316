import { z } from 'zod';
import { slugSchema } from './common';

export const packageSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  channels: z.array(z.string()),
  accountCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Package = z.infer<typeof packageSchema>;

const packageName = z.string().trim().min(1, 'Required').max(100, 'At most 100 characters');
const packageDescription = z.string().max(1000, 'At most 1000 characters');

export const packageCreateSchema = z
  .object({
    id: slugSchema,
    name: packageName,
    description: packageDescription.default(''),
    channels: z.array(slugSchema).max(5000).default([]),
  })
  .strict();
export type PackageCreate = z.input<typeof packageCreateSchema>;

export const packageUpdateSchema = z
  .object({ name: packageName, description: packageDescription, channels: z.array(slugSchema).max(5000) })
  .partial()
  .strict();
export type PackageUpdate = z.input<typeof packageUpdateSchema>;

export const packageDeleteQuerySchema = z.object({
  force: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
