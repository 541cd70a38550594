/** Login endpoints (docs/broker-api.md#auth): token, revoke, pathfinder, challenge and push status. */
import type { AuthServer } from './auth.js';
import { type Route, route } from './routing.js';

export function authRoutes(auth: AuthServer): Route[] {
  return [
    route('POST', '/oauth2/token/', false, (request) => auth.token(request), { optionalSlash: true }),
    route('POST', '/oauth2/revoke_token/', false, (request) => auth.revoke(request), { optionalSlash: true }),
    route('POST', '/pathfinder/user_machine/', false, (request) => auth.userMachine(request)),
    route('GET', '/pathfinder/inquiries/:id/user_view/', false, (request, [id]) =>
      auth.userView(request, id as string),
    ),
    route('POST', '/pathfinder/inquiries/:id/user_view/', false, (request, [id]) =>
      auth.userView(request, id as string),
    ),
    route('POST', '/challenge/:id/respond/', false, (request, [id]) => auth.respond(request, id as string)),
    route('GET', '/challenge/:id/', false, (_request, [id]) => auth.challenge(id as string)),
    route('GET', '/push/:id/get_prompts_status/', false, (_request, [id]) => auth.promptStatus(id as string)),
  ];
}
