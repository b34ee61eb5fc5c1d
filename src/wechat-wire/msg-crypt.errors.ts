/** A ciphertext that does not decrypt to a well-formed message (wrong key, bad padding or length). */
export class MsgCryptError extends Error {}

/** The receiver id inside a ciphertext (appId, corpId) is another's: the message was not meant for this one. */
export class WrongReceiverError extends MsgCryptError {}
