/** `http://<slug>.<baseDomain>:<port>/login`, keeping the scheme and port the user is on. */
export function companyLoginUrl(
  slug: string,
  baseDomain: string,
  location: Pick<Location, 'protocol' | 'port'> = window.location,
): string {
  const port = location.port ? `:${location.port}` : ''
  return `${location.protocol}//${slug}.${baseDomain}${port}/login`
}

/** The admin address shown while the user types a slug on the signup form. */
export function companyAdminUrl(
  slug: string,
  baseDomain: string,
  location: Pick<Location, 'protocol' | 'port'> = window.location,
): string {
  const port = location.port ? `:${location.port}` : ''
  return `${location.protocol}//${slug}.${baseDomain}${port}/`
}

/**
 * The company's owner app (H5), served under /h5/ on the company's own host — the host the admin
 * is on now (the admin app and the owner app share it).
 */
export function ownerAppUrl(location: Pick<Location, 'origin'> = window.location): string {
  return `${location.origin}/h5/`
}
