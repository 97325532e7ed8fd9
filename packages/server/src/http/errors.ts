import type { FastifyReply } from 'fastify';
import { ERRORS, type ErrorCode } from '@samepage/protocol';

/** Answers with the catalogue's status and `{ error: { code, message } }`. */
export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  const e = ERRORS[code];
  return reply.code(e.http).send({ error: { code, message: message ?? e.message } });
}
