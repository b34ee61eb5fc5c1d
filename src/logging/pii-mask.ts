/** `alice@example.com` → `a***@example.com`: enough for an operator to recognise, too little to contact. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** `+8613812345678` → `+86138****5678`. */
export function maskPhone(phone: string): string {
  if (phone.length <= 7) return '***';
  return `${phone.slice(0, phone.length - 8)}****${phone.slice(-4)}`;
}

/** An identity value masked by its type; ids that are opaque already (openid, anonymous id) keep a short prefix. */
export function maskIdentity(type: string, value: string): string {
  if (type === 'email') return maskEmail(value);
  if (type === 'phone') return maskPhone(value);
  return value.length > 8 ? `${value.slice(0, 6)}…` : value;
}
