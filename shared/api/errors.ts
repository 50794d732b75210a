import { z } from 'zod';

/** Every API error: a machine-readable code, a sentence for people, and the offending field if any. */
export const ApiErrorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
export type ApiError = z.infer<typeof ApiErrorSchema>;
