import { defineCatalogue, texts } from '../i18n/message-catalog';

/**
 * What the profiles room says when it refuses something, in English (the API's language, byte for byte what it always
 * said) and Chinese (what an operator reads in chat).
 */
const en = {
  'profile.notFound': 'no profile {id}',
  'profile.goneWhileResolving': 'profile {id} was merged or erased while this event was being resolved',
  'merge.notFound': 'no merge {id}',
  'merge.notSuggested': 'merge {id} is {status}, not suggested',
  'merge.none': 'profile {id} is not part of a merge',
  'merge.severalAbsorbed': 'profile {id} absorbed several profiles: unmerge one of them by its own id',
  'merge.alreadyOne': 'profiles {survivor} and {absorbed} are already one profile ({profile})',
  'merge.notBothLive': "profiles {ids} are not both live profiles: they can't be merged",
  'merge.absorbedLater': 'profile {survivor} absorbed profile {later} after this merge: unmerge that one first',
  'merge.survivorMerged': 'profile {survivor} has since been merged into profile {into}: unmerge that first',
} as const;

const zhCN: Readonly<Record<keyof typeof en, string>> = {
  'profile.notFound': '找不到画像 #{id}',
  'profile.goneWhileResolving': '处理这条事件期间，画像 #{id} 被合并或删除了',
  'merge.notFound': '找不到合并记录 #{id}',
  'merge.notSuggested':
    '合并 #{id} {status, select, merged {已合并} unmerged {已拆分} rejected {已拒绝} other {的状态是 {status}}}，不是待处理的合并建议',
  'merge.none': '画像 #{id} 没有参与任何合并',
  'merge.severalAbsorbed': '画像 #{id} 合并了多个画像：请用被合并画像各自的编号逐个拆分',
  'merge.alreadyOne': '画像 #{survivor} 和 #{absorbed} 已经是同一个画像（#{profile}）',
  'merge.notBothLive': '画像 {idsZh} 并非都还存在（可能已被合并或删除），无法合并',
  'merge.absorbedLater': '画像 #{survivor} 在这次合并之后又合并了画像 #{later}：请先拆分那一次合并',
  'merge.survivorMerged': '画像 #{survivor} 此后已被合并到画像 #{into}：请先拆分那一次合并',
};

export const profilesMessages = defineCatalogue('profiles', en, zhCN);
export const profilesText = texts(profilesMessages);
