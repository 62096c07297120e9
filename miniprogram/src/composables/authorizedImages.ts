/**
 * Images the API serves only with the owner's token (repair and feedback photos, vendors' shop and
 * offering photos): an `<image src>` cannot send the Authorization header, so each URL is fetched
 * once with `uni.downloadFile` (platform `downloadImage`) and shown from its temp path. The cache is
 * shared by the pages (a photo seen on one page is not fetched again on the next) and cleared when
 * the owner signs out.
 */
import { reactive } from 'vue'

export type ImageDownloader = (url: string) => Promise<string>

export function createImageCache(download: ImageDownloader) {
  /** URL → local temp path, once downloaded. */
  const paths = reactive<Record<string, string>>({})
  /** URLs that could not be fetched (shown as a placeholder, not retried until cleared). */
  const failed = reactive<Record<string, true>>({})
  const pending = new Map<string, Promise<void>>()

  /** Start fetching the URLs not yet here; resolves when all of these are settled. */
  function load(urls: readonly string[]): Promise<void> {
    const waits: Promise<void>[] = []
    for (const url of urls) {
      if (paths[url] || failed[url]) continue
      let wait = pending.get(url)
      if (!wait) {
        wait = download(url)
          .then((path) => {
            paths[url] = path
          })
          .catch(() => {
            failed[url] = true
          })
          .finally(() => pending.delete(url))
        pending.set(url, wait)
      }
      waits.push(wait)
    }
    return Promise.all(waits).then(() => undefined)
  }

  function clear(): void {
    for (const key of Object.keys(paths)) delete paths[key]
    for (const key of Object.keys(failed)) delete failed[key]
  }

  return { paths, failed, load, clear }
}

export type ImageCache = ReturnType<typeof createImageCache>
