// JSON request bodies: a body with another media type is a 415 problem, malformed JSON a 400,
// an oversized one a 413 (the last two raised by express.json and mapped in problemHandler).
import express, { type RequestHandler } from 'express';
import { ProblemError } from './problem-error';

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

export function jsonBody({ limit = '16kb' }: { limit?: string | number } = {}): RequestHandler {
  const parse = express.json({ limit, strict: true, type: ['application/json', 'application/*+json'] });
  return (req, res, next) => {
    if (hasBody(req.headers) && !req.is(['application/json', 'application/*+json'])) {
      return next(new ProblemError({ status: 415, code: 'unsupported_media_type', detail: 'Send the body as application/json.' }));
    }
    parse(req, res, next);
  };
}
