import { z } from 'zod';

/**
 * Named schemas for the OpenAPI document's components. Request bodies are rendered as zod
 * *inputs* (defaults optional) and responses as *outputs*, so they live in two registries.
 */
export interface ComponentMeta {
  id: string;
  description?: string;
}

export const requestComponents = z.registry<ComponentMeta>();
export const responseComponents = z.registry<ComponentMeta>();

export function requestComponent<T extends z.ZodType>(schema: T, id: string, description?: string): T {
  if (!requestComponents.has(schema))
    requestComponents.add(schema, { id, ...(description !== undefined ? { description } : {}) });
  return schema;
}

export function responseComponent<T extends z.ZodType>(schema: T, id: string, description?: string): T {
  if (!responseComponents.has(schema))
    responseComponents.add(schema, { id, ...(description !== undefined ? { description } : {}) });
  return schema;
}
