import type { Resident, ResidentWrite } from '@/api/basicData'
import type { PersonForm } from '@/pages/company/basic-data/parts/PersonFields.vue'

export const blankPerson = (): PersonForm => ({
  name: '',
  gender: '',
  phone: '',
  id_type: '',
  id_number: '',
  emergency_contact: '',
  note: '',
})

export const personFromResident = (r: Resident): PersonForm => ({
  name: r.name,
  gender: r.gender,
  phone: '',
  id_type: r.id_type,
  id_number: '',
  emergency_contact: '',
  note: r.note,
})

/**
 * The write body: phone, ID number and emergency contact are sent only when typed, so editing
 * someone's note does not need (and cannot clobber) the stored values the form only knows masked.
 */
export function personBody(form: PersonForm): ResidentWrite {
  const body: ResidentWrite = {
    name: form.name.trim(),
    gender: form.gender,
    note: form.note.trim(),
  }
  if (form.phone.trim()) body.phone = form.phone.trim()
  if (form.id_number.trim()) {
    body.id_number = form.id_number.trim().toUpperCase()
    if (form.id_type) body.id_type = form.id_type
  }
  if (form.emergency_contact.trim()) body.emergency_contact = form.emergency_contact.trim()
  return body
}
