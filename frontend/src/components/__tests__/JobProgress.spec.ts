import { flushPromises, mount } from '@vue/test-utils'
import { describe, expect, it, vi } from 'vitest'

import type { Job } from '@/api/types'
import JobProgress from '@/components/JobProgress.vue'
import { jsonResponse, mockFetch } from '@/test/http'

const job = (over: Partial<Job>): Job => ({
  id: 'j5',
  kind: 'import',
  status: 'running',
  progress: 0,
  total: 0,
  message: '',
  result: {},
  created_at: '2026-03-01T02:00:00Z',
  started_at: '2026-03-01T02:00:01Z',
  finished_at: null,
  ...over,
})

describe('JobProgress', () => {
  it('polls until the job succeeds, then emits done and stops', async () => {
    vi.useFakeTimers()
    const states = [
      job({ status: 'queued' }),
      job({ progress: 25, total: 100, message: '导入第 25 行' }),
      job({ status: 'succeeded', progress: 100, total: 100, result: { rows: 100 } }),
    ]
    const calls = mockFetch(() => jsonResponse(states[Math.min(calls.length - 1, 2)]))
    const wrapper = mount(JobProgress, { props: { jobId: 'j5', interval: 1000 } })
    await flushPromises()
    expect(calls[0].url).toBe('/api/v1/jobs/j5/')
    expect(wrapper.find('[data-testid="job-status"]').text()).toBe('排队中')

    await vi.advanceTimersByTimeAsync(1000)
    expect(wrapper.find('[data-testid="job-message"]').text()).toBe('导入第 25 行')
    expect(wrapper.find('[data-testid="job-progress"]').text()).toContain('25%')

    await vi.advanceTimersByTimeAsync(1000)
    expect(wrapper.emitted('done')).toEqual([[states[2]]])
    expect(wrapper.find('[data-testid="job-progress"]').attributes('data-status')).toBe('succeeded')

    await vi.advanceTimersByTimeAsync(5000)
    expect(calls).toHaveLength(3)
    expect(wrapper.emitted('failed')).toBeUndefined()
  })

  it('emits failed with the job when it fails', async () => {
    vi.useFakeTimers()
    const failed = job({ status: 'failed', message: '第 3 行格式错误', progress: 2, total: 10 })
    const calls = mockFetch(() => jsonResponse(failed))
    const wrapper = mount(JobProgress, { props: { jobId: 'abc' } })
    await flushPromises()
    expect(wrapper.emitted('failed')).toEqual([[failed]])
    expect(wrapper.find('[data-testid="job-message"]').text()).toBe('第 3 行格式错误')
    await vi.advanceTimersByTimeAsync(3000)
    expect(calls).toHaveLength(1)
  })

  it('stops polling when unmounted', async () => {
    vi.useFakeTimers()
    const calls = mockFetch(() => jsonResponse(job({})))
    const wrapper = mount(JobProgress, { props: { jobId: 'j1', interval: 500 } })
    await flushPromises()
    await vi.advanceTimersByTimeAsync(500)
    expect(calls).toHaveLength(2)
    wrapper.unmount()
    await vi.advanceTimersByTimeAsync(5000)
    expect(calls).toHaveLength(2)
  })

  it('keeps polling through a transient error, more slowly, and shows it', async () => {
    vi.useFakeTimers()
    let n = 0
    const calls = mockFetch(() =>
      ++n === 1
        ? jsonResponse({ code: 'server_error', message: '暂时不可用', fields: {} }, 503)
        : jsonResponse(job({ status: 'succeeded', progress: 1, total: 1 })),
    )
    const wrapper = mount(JobProgress, { props: { jobId: 'j1' } })
    await flushPromises()
    expect(wrapper.find('[data-testid="job-error"]').text()).toBe('暂时不可用')
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls).toHaveLength(1) // backing off: twice the interval after a failure
    await vi.advanceTimersByTimeAsync(1000)
    expect(wrapper.emitted('done')).toHaveLength(1)
    expect(wrapper.find('[data-testid="job-error"]').exists()).toBe(false)
  })

  it('gives up after five failed polls in a row', async () => {
    vi.useFakeTimers()
    const calls = mockFetch(() =>
      jsonResponse({ code: 'server_error', message: '暂时不可用', fields: {} }, 503),
    )
    mount(JobProgress, { props: { jobId: 'j1', interval: 100 } })
    await vi.advanceTimersByTimeAsync(60_000)
    expect(calls).toHaveLength(5)
  })

  it('polls a new job when the id changes, ignoring the old one', async () => {
    vi.useFakeTimers()
    const calls = mockFetch((call) =>
      jsonResponse(job({ id: call.url.split('/')[4], status: 'running' })),
    )
    const wrapper = mount(JobProgress, { props: { jobId: 'a' } })
    await flushPromises()
    await wrapper.setProps({ jobId: 'b' })
    await flushPromises()
    await vi.advanceTimersByTimeAsync(1000)
    expect(calls.map((c) => c.url)).toEqual([
      '/api/v1/jobs/a/',
      '/api/v1/jobs/b/',
      '/api/v1/jobs/b/',
    ])
  })

  it('shows a job its parent keeps fresh without polling, and reports its end', async () => {
    const calls = mockFetch(() => jsonResponse({}))
    const snapshot = {
      id: 'j1',
      status: 'running' as const,
      progress: 40,
      total: 100,
      message: '校验第 400 行',
    }
    const wrapper = mount(JobProgress, { props: { job: snapshot } })
    await flushPromises()
    expect(wrapper.find('[data-testid="job-progress"]').text()).toContain('40%')
    expect(wrapper.find('[data-testid="job-message"]').text()).toBe('校验第 400 行')

    await wrapper.setProps({ job: { ...snapshot, status: 'succeeded', progress: 100 } })
    expect(wrapper.emitted('done')).toHaveLength(1)
    expect(wrapper.find('[data-testid="job-progress"]').attributes('data-status')).toBe('succeeded')
    expect(calls).toHaveLength(0)
  })
})
