/**
 * The company API as the server documents it. `./schema.d.ts` is generated from the server's
 * OpenAPI document (`./wuye api-types`; `./wuye test` fails while it is stale); the client types
 * every call from it (path, path parameters, query, body, answer), so a changed serializer or
 * endpoint breaks `vue-tsc` where the app uses it. (The web admin has its own copy of these few
 * types: the two faces are separate projects.)
 */
import type { components, paths } from './schema'

export type Schemas = components['schemas']
export type ApiPath = keyof paths
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** The paths that answer `method`. */
export type PathWith<M extends Method> = {
  [P in ApiPath]: paths[P] extends { [K in M]: object } ? P : never
}[ApiPath]

type Operation<P extends ApiPath, M extends Method> = paths[P][M]

type Json<R> = R extends { content: infer C } ? (C extends { 'application/json': infer T } ? T : unknown) : undefined

type Success<O> = O extends { responses: infer R } ? R[Extract<keyof R, 200 | 201 | 202 | 204>] : never

/** What a successful call answers (its JSON body; undefined for a 204). */
export type Answer<P extends ApiPath, M extends Method> = Json<Success<Operation<P, M>>>

type RequestContent<O> = O extends { requestBody?: infer R }
  ? [NonNullable<R>] extends [never]
    ? never
    : NonNullable<R> extends { content: infer C }
      ? C
      : never
  : never

/** The documented JSON body; `undefined` where the endpoint documents none. */
export type Body<P extends ApiPath, M extends Method> = [RequestContent<Operation<P, M>>] extends [never]
  ? undefined
  : RequestContent<Operation<P, M>> extends { 'application/json': infer J }
    ? J
    : never

type PathParams<O> = O extends { parameters: { path: infer PP } } ? PP : never
type QueryParams<O> = O extends { parameters: { query?: infer Q } } ? Q : never

/** A call's path parameters (required when the path has any) and its documented query. */
export type CallOptions<P extends ApiPath, M extends Method> = ([PathParams<Operation<P, M>>] extends [never]
  ? { path?: undefined }
  : { path: PathParams<Operation<P, M>> }) & { query?: QueryParams<Operation<P, M>> }

export type OptionsArg<P extends ApiPath, M extends Method> = [PathParams<Operation<P, M>>] extends [never]
  ? [options?: CallOptions<P, M>]
  : [options: CallOptions<P, M>]

/** `/api/v1/owner/estates/{estate_id}/houses/` + `{estate_id: 3}` → `/api/v1/owner/estates/3/houses/`. */
export function fillPath(template: string, params?: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params?.[name]
    if (value === undefined) throw new Error(`path parameter ${name} missing for ${template}`)
    return encodeURIComponent(String(value))
  })
}
