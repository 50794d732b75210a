// One QueryClient with explicit defaults. Live data arrives through server-sent events written into
// the cache (graph-client.ts), so queries need no polling of their own; API errors retry with back-off.
import { QueryClient } from '@tanstack/react-query';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 5_000,
        refetchOnWindowFocus: false,
        retry: 3,
        retryDelay: (attempt) => Math.min(1000 * 2 ** attempt, 15_000),
      },
    },
  });
}
