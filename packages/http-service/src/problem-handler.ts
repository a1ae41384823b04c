// Turns anything thrown in a route into application/problem+json: ProblemErrors as they are,
// body-parser errors as 400/413/415, everything else as a logged 500 that leaks no detail.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { defaultTitle, ProblemError } from './problem-error';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

function fromBodyParser(error: BodyParserError): ProblemError | undefined {
  switch (error.type) {
    case 'entity.parse.failed':
      return new ProblemError({ status: 400, code: 'malformed_json', detail: 'The request body is not valid JSON.' });
    case 'entity.too.large':
      return new ProblemError({ status: 413, code: 'payload_too_large', detail: 'The request body is too large.' });
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ProblemError({ status: 415, code: 'unsupported_media_type', detail: 'Unsupported body encoding or charset.' });
    case 'request.aborted':
      return new ProblemError({ status: 400, code: 'request_aborted', detail: 'The client aborted the request.' });
    default:
      if (typeof error.status === 'number' && error.status >= 400 && error.status < 500 && error.expose) {
        return new ProblemError({ status: error.status, code: 'bad_request', detail: defaultTitle(error.status) });
      }
      return undefined;
  }
}

export function sendProblem(res: Response, problem: ProblemError): void {
  const requestId = res.getHeader('x-request-id');
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(
    JSON.stringify({
      type: `about:blank`,
      title: problem.title,
      status: problem.status,
      ...(problem.detail !== undefined ? { detail: problem.detail } : {}),
      code: problem.code,
      ...(problem.errors ? { errors: problem.errors } : {}),
      instance: res.req.originalUrl.split('?')[0],
      ...(requestId ? { requestId } : {}),
    }),
  );
}

export function problemHandler(): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    let problem = error instanceof ProblemError ? error : fromBodyParser((error ?? {}) as BodyParserError);
    if (!problem) {
      (req.log ?? console).error({ err: error }, 'unhandled error');
      problem = new ProblemError({ status: 500, code: 'internal_error', detail: 'An unexpected error occurred.' });
    }
    sendProblem(res, problem);
  };
}

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) =>
    next(new ProblemError({ status: 404, code: 'not_found', detail: `No route for ${req.method} ${req.path}.` }));
}
