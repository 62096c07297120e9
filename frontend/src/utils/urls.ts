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
