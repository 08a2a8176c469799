import { z } from 'zod';

export const TenantStatusSchema = z.enum(['ACTIVE', 'SUSPENDED']);
export type TenantStatus = z.infer<typeof TenantStatusSchema>;

export const TenantNameSchema = z.string().trim().min(1).max(100);

/** The tenants container's document (partition key /id). */
export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly status: TenantStatus;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const TenantViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: TenantStatusSchema,
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type TenantView = z.infer<typeof TenantViewSchema>;
