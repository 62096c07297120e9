/**
 * The API as the server documents it. `./schema/*.d.ts` are generated from the server's OpenAPI
 * documents (`./wuye api-types`; `./wuye test` fails while they are stale), and every request and
 * answer of the API modules is typed from them through `api` below: a serializer field renamed or
 * removed, a path moved, a body that no longer fits breaks `vue-tsc` where it is used.
 */
import { request, type Query, type RequestOptions } from './http'
import type { components as CompanyComponents, paths as CompanyPaths } from './schema/company'
import type { components as PublicComponents, paths as PublicPaths } from './schema/public'

/** A company host's shapes (`Schemas['House']`, `Schemas['HouseRequest']` for writes). */
export type Schemas = CompanyComponents['schemas']
/** The public site's shapes (signup, plans). */
export type PublicSchemas = PublicComponents['schemas']

/** Both hosts' paths (the few they share, such as `/api/v1/site/`, are the same on both). */
type Paths = CompanyPaths & PublicPaths
export type ApiPath = keyof Paths
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete'

/** The paths that answer `method`. */
export type PathWith<M extends Method> = {
  [P in ApiPath]: Paths[P] extends { [K in M]: object } ? P : never
}[ApiPath]

type Operation<P extends ApiPath, M extends Method> = Paths[P][M]

type Json<R> = R extends { content: infer C }
  ? C extends { 'application/json': infer T }
    ? T
    : unknown
  : undefined // 204: no body

type Success<O> = O extends { responses: infer R }
  ? R[Extract<keyof R, 200 | 201 | 202 | 204>]
  : never

/** What a successful call of `method` on `path` answers (its JSON body; undefined for a 204). */
export type Answer<P extends ApiPath, M extends Method> = Json<Success<Operation<P, M>>>

type RequestContent<O> = O extends { requestBody?: infer R }
  ? [NonNullable<R>] extends [never] // `requestBody?: never`: the endpoint takes no body
    ? never
    : NonNullable<R> extends { content: infer C }
      ? C
      : never
  : never

/**
 * The body a call sends: the documented JSON; FormData where the endpoint takes files (it then
 * documents no JSON); `undefined` where it documents no body.
 */
export type Body<P extends ApiPath, M extends Method> = [RequestContent<Operation<P, M>>] extends [
  never,
]
  ? undefined
  : RequestContent<Operation<P, M>> extends infer C
    ? C extends { 'application/json': infer J }
      ? J
      : C extends { 'multipart/form-data': unknown }
        ? FormData
        : never
    : never

type PathParams<O> = O extends { parameters: { path: infer PP } } ? PP : never
type QueryParams<O> = O extends { parameters: { query?: infer Q } } ? Q : never

/** A call's options: its path parameters (required when the path has any), its documented query. */
export type CallOptions<P extends ApiPath, M extends Method> = Omit<
  RequestOptions,
  'query' | 'body'
> &
  ([PathParams<Operation<P, M>>] extends [never]
    ? { path?: undefined }
    : { path: PathParams<Operation<P, M>> }) & {
    query?: QueryParams<Operation<P, M>>
  }

/** Optional when nothing in it is required. */
type OptionsArg<P extends ApiPath, M extends Method> = [PathParams<Operation<P, M>>] extends [never]
  ? [options?: CallOptions<P, M>]
  : [options: CallOptions<P, M>]

/** `/api/v1/estates/{id}/` + `{id: 3}` → `/api/v1/estates/3/`. */
export function fillPath(template: string, params?: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_match, name: string) => {
    const value = params?.[name]
    if (value === undefined) throw new Error(`path parameter ${name} missing for ${template}`)
    return encodeURIComponent(String(value))
  })
}

function call<P extends ApiPath, M extends Method>(
  method: M,
  path: P,
  body: unknown,
  options: CallOptions<P, M> | undefined,
): Promise<Answer<P, M>> {
  const { path: params, query, ...rest } = options ?? {}
  return request<Answer<P, M>>(
    method.toUpperCase(),
    fillPath(path, params as Record<string, string | number> | undefined),
    { ...rest, query: query as Query | undefined, body },
  )
}

/** The API, typed by its documents: `api.get('/api/v1/estates/{id}/', { path: { id } })`. */
export const api = {
  get: <P extends PathWith<'get'>>(path: P, ...[options]: OptionsArg<P, 'get'>) =>
    call('get', path, undefined, options),
  delete: <P extends PathWith<'delete'>>(path: P, ...[options]: OptionsArg<P, 'delete'>) =>
    call('delete', path, undefined, options),
  post: <P extends PathWith<'post'>>(
    path: P,
    body: Body<P, 'post'>,
    ...[options]: OptionsArg<P, 'post'>
  ) => call('post', path, body, options),
  patch: <P extends PathWith<'patch'>>(
    path: P,
    body: Body<P, 'patch'>,
    ...[options]: OptionsArg<P, 'patch'>
  ) => call('patch', path, body, options),
  put: <P extends PathWith<'put'>>(
    path: P,
    body: Body<P, 'put'>,
    ...[options]: OptionsArg<P, 'put'>
  ) => call('put', path, body, options),
}
