import type { RouteRecordRaw } from 'vue-router'

const module = 'basic_data' as const

/**
 * Staff pages, as tabs of 基础数据 (appended to its children): 员工 (profiles, departments, posts),
 * 考勤 (monthly sheet, records, shifts) and 绩效. Managers only (`staff.view`): other roles of
 * basic data see neither the tabs nor the pages.
 */
export const staffTabRoutes: RouteRecordRaw[] = [
  {
    path: 'staff',
    name: 'basic-data-staff',
    component: () => import('@/pages/company/staff/StaffTab.vue'),
    meta: { module, title: 'staffPages.tabs.staff', tab: true, permission: 'staff.view' },
  },
  {
    path: 'attendance',
    name: 'basic-data-attendance',
    component: () => import('@/pages/company/staff/AttendanceTab.vue'),
    meta: { module, title: 'staffPages.tabs.attendance', tab: true, permission: 'staff.view' },
  },
  {
    path: 'performance',
    name: 'basic-data-performance',
    component: () => import('@/pages/company/staff/PerformancePanel.vue'),
    meta: { module, title: 'staffPages.tabs.performance', tab: true, permission: 'staff.view' },
  },
]

/** 考勤打卡: the phone page every staff member clocks in and out on. */
export const clockRoute: RouteRecordRaw = {
  path: 'clock',
  name: 'clock',
  component: () => import('@/pages/company/ClockPage.vue'),
  meta: { title: 'clock.title', permission: 'staff.clock' },
}
