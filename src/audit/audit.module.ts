import type { RoomDefinition, RoomModule } from '../kernel/room-module.types';

export const auditRoom: RoomDefinition = { room: 'audit', tables: ['audit_log'], surface: ['audit-log'] };

/**
 * The audit room: the trail of what operators and Persona did to people and pushes, written by `recordAudit` inside
 * the caller's transaction. Kept through erasure (it names profiles by id, never by what identifies them).
 */
export class AuditModule implements RoomModule {
  readonly definition = auditRoom;
  readonly contributes = {};
}
