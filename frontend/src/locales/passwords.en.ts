import type passwordsZh from './passwords.zh-CN'

const passwords: typeof passwordsZh = {
  forgotLink: 'Forgot password?',
  forgot: {
    title: 'Reset password',
    login: 'Username, phone or email',
    loginHint: "The code goes to the account's own phone or email",
    send: 'Send code',
    sent: 'If that account exists and has a phone or email, a code is on its way (valid for 10 minutes).',
    code: 'Code',
    submit: 'Reset password',
    done: 'Your password was reset. Sign in with the new one.',
    backToLogin: 'Back to sign-in',
  },
  change: {
    title: 'Change password',
    menu: 'Change password',
    required: 'Your administrator reset your password: choose your own new password first.',
    current: 'Current password',
    submit: 'Save',
    done: 'Password changed; your sign-ins on other devices have ended.',
    back: 'Back',
  },
  invitation: {
    title: 'Set your password',
    intro: 'Choose the password of your staff account.',
    missingToken: 'The link is incomplete: open the whole link from the text or email.',
    submit: 'Set password',
    done: 'Password set. Sign in as {username}.',
  },
  newPassword: 'New password',
  confirm: 'Confirm new password',
  mismatch: 'The two passwords differ',
  rule: 'At least 10 characters, with letters and digits',
  staff: {
    reset: 'Reset password',
    resetTemporary: 'Temporary password',
    resetInvite: 'Send an invitation',
    invite: 'Send invitation',
    temporaryTitle: 'Temporary password (shown only once)',
    temporaryHint: 'Tell it to the staff member; they must change it when they next sign in.',
    invited: 'Invitation sent (valid for 72 hours).',
    noPassword: 'No password yet',
    mustChange: 'Must change password',
    manageHere:
      'Sign-in accounts (enable/disable, roles, password reset, invitations) are managed under Settings › Staff accounts.',
    profilesLink: 'Staff records are managed under Basic data › Staff.',
    formHint:
      'Left blank: the staff member gets an invitation link (valid 72 hours) on their phone or email to set a password.',
  },
}

export default passwords
