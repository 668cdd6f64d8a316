import { z } from 'zod';

interface DocumentedRoute {
  method: string;
  path: string;
  summary: string;
  tag: string;
  access: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  response?: z.ZodType;
  status?: number;
  /** For routes whose body or answer is not JSON (key bytes, images, playlists). */
  responseContentType?: string;
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any' });
}

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (object.required ?? []).includes(name),
    schema: property,
  }));
}

/** Collects the routes of both listeners and renders them as one OpenAPI 3.1 document. */
export class OpenApiRegistry {
  readonly #routes: Array<DocumentedRoute & { server: string }> = [];

  add(server: string, route: DocumentedRoute): void {
    this.#routes.push({ ...route, server });
  }

  document(info: { title: string; version: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.#routes) {
      const path = route.path.replace(/[:*]([A-Za-z0-9_]+)/g, '{$1}');
      const status = String(route.status ?? 200);
      const errorRef = { $ref: '#/components/responses/Error' };
      const ok =
        route.status === 204
          ? { description: 'No content' }
          : {
              description: 'Success',
              content: route.responseContentType
                ? { [route.responseContentType]: {} }
                : { 'application/json': { schema: route.response ? jsonSchema(route.response, 'output') : {} } },
            };
      paths[path] ??= {};
      paths[path][route.method] = {
        summary: route.summary,
        tags: [route.tag],
        'x-listener': route.server,
        'x-access': route.access,
        security: route.access === 'public' ? [] : [{ bearer: [] }],
        parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
        ...(route.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
          : {}),
        responses: { [status]: ok, '400': errorRef, '401': errorRef, '403': errorRef, '404': errorRef, '409': errorRef },
      };
    }
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
        responses: {
          Error: {
            description: 'Error',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['error'],
                  properties: {
                    error: {
                      type: 'object',
                      required: ['code', 'message'],
                      properties: {
                        code: { type: 'string' },
                        message: { type: 'string' },
                        field: { type: 'string' },
                        reason: { type: 'string' },
                        details: { type: 'object' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    };
  }
}
