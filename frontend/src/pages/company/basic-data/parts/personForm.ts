import type { Resident, ResidentWrite } from '@/api/basicData'
import type { PersonForm } from '@/pages/company/basic-data/parts/PersonFields.vue'

export const blankPerson = (): PersonForm => ({
  name: '',
  gender: '',
  phone: '',
  id_number: '',
  emergency_contact: '',
  note: '',
})

export const personFromResident = (r: Resident): PersonForm => ({
  name: r.name,
  gender: r.gender,
  phone: '',
  id_number: '',
  emergency_contact: r.emergency_contact,
  note: r.note,
})

/**
 * The write body: phone and ID number are sent only when typed, so editing someone's note does
 * not need (and cannot clobber) the stored values the form only knows masked.
 */
export function personBody(form: PersonForm): ResidentWrite {
  const body: ResidentWrite = {
    name: form.name.trim(),
    gender: form.gender,
    emergency_contact: form.emergency_contact.trim(),
    note: form.note.trim(),
  }
  if (form.phone.trim()) body.phone = form.phone.trim()
  if (form.id_number.trim()) body.id_number = form.id_number.trim().toUpperCase()
  return body
}
