/**
 * The simulator's login server (docs/broker-api.md#auth): the password grant with each SimUser's flow, the
 * refresh grant, revocation, bearer checks, and the verification steps (legacy challenge,
 * pathfinder/sheriff workflow with code, authenticator or push-prompt challenges).
 *
 * - direct: tokens at once.
 * - mfa: 200 {mfa_required} until the request carries a valid TOTP `mfa_code`.
 * - legacy-challenge: 400 "challenge type required", then 400 with an SMS/e-mail challenge; after
 *   /challenge/{id}/respond/ the same request with X-ROBINHOOD-CHALLENGE-RESPONSE-ID gets tokens.
 * - workflow-app|sms|email|prompt: 403 {verification_workflow} until (username, device_token) has
 *   passed a workflow; then tokens. Codes "sent" by SMS/e-mail are listed by issuedCodes().
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { detail, ok, type Reply, type SimHttpRequest, text } from './routing.js';
import { isoMicros, isoNewYork, MICROS_PER_MS } from './time.js';
import type { SimUser } from './types.js';

export interface AuthOptions {
  users: () => readonly SimUser[];
  now: () => Date;
  accessTokenTtlSeconds: number;
  /** Push polls answered "issued" before "validated"; Infinity waits for approvePendingPrompts(). */
  pushApprovalAfterPolls: number;
  userUuid: (username: string) => string;
}

interface AccessToken {
  username: string;
  expiresAtMs: number;
  valid: boolean;
}

interface RefreshToken {
  username: string;
  accessToken: string;
  valid: boolean;
}

type ChallengeType = 'sms' | 'email' | 'app' | 'prompt';

interface Challenge {
  id: string;
  username: string;
  type: ChallengeType;
  status: 'issued' | 'validated' | 'failed';
  code: string | null;
  remainingAttempts: number;
  polls: number;
  workflowId: string | null;
  createdMs: number;
  updatedMs: number;
  used: boolean;
}

interface Workflow {
  id: string;
  username: string;
  deviceToken: string;
  type: ChallengeType;
  machineId: string | null;
  challengeId: string | null;
  result: 'pending' | 'approved' | 'denied';
}

const INVALID_CREDENTIALS = 'Unable to log in with provided credentials.';
const CHALLENGE_TTL_MS = 5 * 60_000;

export class AuthServer {
  readonly #o: AuthOptions;
  readonly #access = new Map<string, AccessToken>();
  readonly #refresh = new Map<string, RefreshToken>();
  readonly #trusted = new Set<string>();
  readonly #workflows = new Map<string, Workflow>();
  readonly #machines = new Map<string, string>();
  readonly #challenges = new Map<string, Challenge>();
  readonly #codes: string[] = [];

  constructor(options: AuthOptions) {
    this.#o = options;
  }

  // ---- test hooks ------------------------------------------------------------------------------

  expireAccessTokens(): void {
    for (const token of this.#access.values()) token.valid = false;
  }

  expireAccessToken(token: string): void {
    const record = this.#access.get(token);
    if (record) record.valid = false;
  }

  revokeRefreshTokens(): void {
    for (const token of this.#refresh.values()) token.valid = false;
  }

  approvePendingPrompts(): void {
    for (const c of this.#challenges.values())
      if (c.type === 'prompt' && c.status === 'issued') this.#set(c, 'validated');
  }

  denyPendingPrompts(): void {
    for (const c of this.#challenges.values())
      if (c.type === 'prompt' && c.status === 'issued') this.#set(c, 'failed');
  }

  issuedCodes(): string[] {
    return [...this.#codes];
  }

  // ---- bearer check ----------------------------------------------------------------------------

  /** The username behind the request's bearer token, or the 401 the real API answers. */
  authenticate(authorization: string | undefined): { username: string; token: string } | Reply {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return detail(401, 'Authentication credentials were not provided.');
    const token = match[1] as string;
    const record = this.#access.get(token);
    if (!record?.valid || record.expiresAtMs <= this.#o.now().getTime())
      return detail(401, 'Invalid bearer token.');
    return { username: record.username, token };
  }

  // ---- endpoints -------------------------------------------------------------------------------

  token(request: SimHttpRequest): Reply {
    const grant = text(request.body['grant_type']);
    if (grant === 'refresh_token') return this.#refreshGrant(request);
    if (grant !== 'password') return { status: 400, body: { error: 'unsupported_grant_type' } };
    const username = text(request.body['username'])?.trim() ?? '';
    const password = text(request.body['password']) ?? '';
    const user = this.#o.users().find((u) => u.username === username);
    if (!user || user.password !== password) return detail(400, INVALID_CREDENTIALS);
    const deviceToken = (text(request.body['device_token']) ?? '').toLowerCase();

    switch (user.flow) {
      case 'direct':
        return ok(this.#issue(user.username));
      case 'mfa': {
        const code = text(request.body['mfa_code']);
        if (!code) return ok({ mfa_required: true, mfa_type: 'app' });
        if (!this.#totpValid(user, code)) return detail(400, 'Please enter a valid code.');
        return ok(this.#issue(user.username));
      }
      case 'legacy-challenge':
        return this.#legacy(request, user);
      default: {
        if (this.#trusted.has(`${user.username}|${deviceToken}`)) return ok(this.#issue(user.username));
        const workflow: Workflow = {
          id: randomUUID(),
          username: user.username,
          deviceToken,
          type: user.flow.slice('workflow-'.length) as ChallengeType,
          machineId: null,
          challengeId: null,
          result: 'pending',
        };
        this.#workflows.set(workflow.id, workflow);
        return {
          status: 403,
          body: {
            verification_workflow: { id: workflow.id, workflow_status: 'workflow_status_internal_pending' },
          },
        };
      }
    }
  }

  revoke(request: SimHttpRequest): Reply {
    const token = text(request.body['token']) ?? '';
    const refresh = this.#refresh.get(token);
    if (refresh) {
      refresh.valid = false;
      this.expireAccessToken(refresh.accessToken);
    }
    this.expireAccessToken(token);
    return { status: 200 };
  }

  userMachine(request: SimHttpRequest): Reply {
    const input = request.body['input'];
    const workflowId =
      typeof input === 'object' && input !== null
        ? text((input as Record<string, unknown>)['workflow_id'])
        : null;
    const workflow = workflowId ? this.#workflows.get(workflowId) : undefined;
    if (!workflow) return detail(400, 'Invalid workflow.');
    if (!workflow.machineId) {
      workflow.machineId = randomUUID();
      this.#machines.set(workflow.machineId, workflow.id);
      const challenge = this.#newChallenge(workflow.username, workflow.type, workflow.id);
      workflow.challengeId = challenge.id;
    }
    return ok({ id: workflow.machineId });
  }

  userView(request: SimHttpRequest, machineId: string): Reply {
    const workflowId = this.#machines.get(machineId);
    const workflow = workflowId ? this.#workflows.get(workflowId) : undefined;
    if (!workflow) return detail(404, 'Not found.');
    const challenge = workflow.challengeId ? this.#challenges.get(workflow.challengeId) : undefined;
    if (request.method === 'POST') {
      if (workflow.result === 'pending' && challenge?.status === 'validated') {
        workflow.result = 'approved';
        this.#trusted.add(`${workflow.username}|${workflow.deviceToken}`);
      } else if (workflow.result === 'pending' && challenge?.status === 'failed') {
        workflow.result = 'denied';
      }
    }
    if (workflow.result !== 'pending') return ok(resultPage(workflow.result));
    if (!challenge) return detail(404, 'Not found.');
    return ok(this.#challengePage(workflow, challenge));
  }

  respond(request: SimHttpRequest, challengeId: string): Reply {
    const challenge = this.#challenges.get(challengeId);
    if (!challenge) return detail(404, 'Not found.');
    if (challenge.type === 'prompt') return detail(400, 'This challenge is approved in the app.');
    if (challenge.status !== 'issued')
      return {
        status: 400,
        body: { detail: 'Challenge is not active.', challenge: this.#challengeJson(challenge) },
      };
    const answer = (text(request.body['response']) ?? '').trim();
    const user = this.#o.users().find((u) => u.username === challenge.username);
    const right =
      challenge.type === 'app'
        ? user !== undefined && this.#totpValid(user, answer)
        : answer === challenge.code;
    if (right) {
      this.#set(challenge, 'validated');
      return ok(this.#challengeJson(challenge));
    }
    challenge.remainingAttempts = Math.max(0, challenge.remainingAttempts - 1);
    if (challenge.remainingAttempts === 0) this.#set(challenge, 'failed');
    return {
      status: 400,
      body: { detail: 'Challenge response is invalid.', challenge: this.#challengeJson(challenge) },
    };
  }

  challenge(challengeId: string): Reply {
    const challenge = this.#challenges.get(challengeId);
    return challenge ? ok(this.#challengeJson(challenge)) : detail(404, 'Not found.');
  }

  promptStatus(challengeId: string): Reply {
    const challenge = this.#challenges.get(challengeId);
    if (challenge?.type !== 'prompt') return detail(404, 'Not found.');
    challenge.polls += 1;
    if (challenge.status === 'issued' && challenge.polls >= this.#o.pushApprovalAfterPolls)
      this.#set(challenge, 'validated');
    return ok({ challenge_status: challenge.status });
  }

  // ---- internals -------------------------------------------------------------------------------

  #legacy(request: SimHttpRequest, user: SimUser): Reply {
    const header = request.headers['x-robinhood-challenge-response-id'];
    const responseId = Array.isArray(header) ? header[0] : header;
    if (responseId) {
      const challenge = this.#challenges.get(responseId);
      if (
        challenge &&
        challenge.username === user.username &&
        challenge.status === 'validated' &&
        !challenge.used
      ) {
        challenge.used = true;
        return ok(this.#issue(user.username));
      }
    }
    const type = text(request.body['challenge_type']);
    if (type !== 'sms' && type !== 'email') {
      return {
        status: 400,
        body: {
          detail: 'Request blocked, challenge type required.',
          accept_challenge_types: { sms: 'SMS', email: 'Email' },
        },
      };
    }
    const challenge = this.#newChallenge(user.username, type, null);
    return {
      status: 400,
      body: { detail: 'Request blocked, challenge issued.', challenge: this.#challengeJson(challenge) },
    };
  }

  #refreshGrant(request: SimHttpRequest): Reply {
    const token = text(request.body['refresh_token']) ?? '';
    const record = this.#refresh.get(token);
    if (!record?.valid)
      return { status: 400, body: { error: 'invalid_grant', detail: 'Invalid refresh token.' } };
    record.valid = false; // rotated
    return ok(this.#issue(record.username));
  }

  #issue(username: string): Record<string, unknown> {
    const ttl = this.#o.accessTokenTtlSeconds;
    const nowMs = this.#o.now().getTime();
    const accessToken = jwtLike({
      exp: Math.floor(nowMs / 1000) + ttl,
      scope: 'internal',
      user_id: this.#o.userUuid(username),
    });
    const refreshToken = randomBytes(23).toString('base64url').slice(0, 30);
    this.#access.set(accessToken, { username, expiresAtMs: nowMs + ttl * 1000, valid: true });
    this.#refresh.set(refreshToken, { username, accessToken, valid: true });
    return {
      access_token: accessToken,
      expires_in: ttl,
      token_type: 'Bearer',
      scope: 'internal',
      refresh_token: refreshToken,
      mfa_code: null,
      backup_code: null,
      user_uuid: this.#o.userUuid(username),
      read_only_secondary_access_token: jwtLike({ exp: Math.floor(nowMs / 1000) + ttl, scope: 'read_only' }),
    };
  }

  #newChallenge(username: string, type: ChallengeType, workflowId: string | null): Challenge {
    const nowMs = this.#o.now().getTime();
    const code = type === 'sms' || type === 'email' ? String(randomInt(0, 1_000_000)).padStart(6, '0') : null;
    if (code) this.#codes.push(code);
    const challenge: Challenge = {
      id: randomUUID(),
      username,
      type,
      status: 'issued',
      code,
      remainingAttempts: 3,
      polls: 0,
      workflowId,
      createdMs: nowMs,
      updatedMs: nowMs,
      used: false,
    };
    this.#challenges.set(challenge.id, challenge);
    return challenge;
  }

  #set(challenge: Challenge, status: Challenge['status']): void {
    challenge.status = status;
    challenge.updatedMs = this.#o.now().getTime();
  }

  #challengeJson(c: Challenge): Record<string, unknown> {
    const legacy = c.workflowId === null;
    return {
      id: c.id,
      user: this.#o.userUuid(c.username),
      type: c.type,
      alternate_type: c.type === 'sms' ? 'email' : null,
      status: c.status,
      remaining_retries: c.status === 'issued' ? 3 : 0,
      remaining_attempts: c.remainingAttempts,
      expires_at: legacy
        ? isoMicros((c.createdMs + CHALLENGE_TTL_MS) * MICROS_PER_MS)
        : isoNewYork((c.createdMs + CHALLENGE_TTL_MS) * MICROS_PER_MS),
      updated_at: legacy ? isoMicros(c.updatedMs * MICROS_PER_MS) : isoNewYork(c.updatedMs * MICROS_PER_MS),
      flow_id: legacy ? null : 'login_suv',
      mfa_status: c.type === 'app' ? 'app' : null,
    };
  }

  #challengePage(workflow: Workflow, c: Challenge): Record<string, unknown> {
    const context = {
      initial_alert: null,
      sheriff_flow_id: 'login_suv',
      fallback_cta_text: 'Verify with bank instead',
      sheriff_challenge: {
        id: c.id,
        type: c.type,
        status: c.status,
        expires_at: isoNewYork((c.createdMs + CHALLENGE_TTL_MS) * MICROS_PER_MS),
        remaining_retries: 3,
        remaining_attempts: c.remainingAttempts,
      },
      verification_workflow_id: workflow.id,
    };
    return {
      page: 'ChallengePage',
      context,
      type: 'page',
      type_context: { page: 'ChallengePage', context: structuredClone(context) },
      sequence: 0,
      state_name: 'Challenge',
      prev_state_name: 'EntryPoint',
      polling_interval: null,
      renderable_platforms: { android: 'all', iOS: 'all', web: 'all' },
      http_status: 200,
      should_replace_current_page: false,
      toast: null,
      locality: 'US',
    };
  }

  #totpValid(user: SimUser, code: string): boolean {
    if (!user.totpSecret || !/^\d{6}$/.test(code)) return false;
    const secret = Secret.fromBase32(user.totpSecret.replace(/=+$/, '').toUpperCase());
    const totp = new TOTP({ secret, algorithm: 'SHA1', digits: 6, period: 30 });
    return totp.validate({ token: code, timestamp: this.#o.now().getTime(), window: 1 }) !== null;
  }
}

function resultPage(result: 'approved' | 'denied'): Record<string, unknown> {
  return {
    page: null,
    context: null,
    type: 'result',
    type_context: { result: `workflow_status_${result}`, result_type: 'security.verification-result' },
    sequence: 0,
    state_name: 'Challenge',
    prev_state_name: 'Challenge',
    polling_interval: null,
    renderable_platforms: { android: 'all', iOS: 'all', web: 'all' },
    http_status: null,
    should_replace_current_page: false,
    toast: null,
    locality: 'US',
  };
}

/** An ES256-JWT-shaped opaque token (clients never parse it; the signature is random). */
function jwtLike(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'ES256', kid: '2', typ: 'JWT' })}.${part({ ...claims, jti: randomUUID() })}.${randomBytes(48).toString('base64url')}`;
}
