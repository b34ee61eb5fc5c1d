/** What the operator bot says, in English. Placeholders are `{name}`; zh-cn.ts has the same keys. */
export const en = {
  'engine.stranger':
    'Hello! This is the Persona assistant of the brand’s marketing team. It only answers the team’s operators. If you should be one, ask an admin to add your WeChat ID.',
  'engine.rateLimited': 'That is more than {perMinute} commands in a minute. Please wait a moment and try again.',
  'engine.tooLong': 'That message is too long for a command (at most {max, number} characters).',
  'engine.unknownCommand': 'I don’t know the command “{name}”. Type /help for what you can do.',
  'engine.unknownCommandSuggest':
    'I don’t know the command “{name}”. Did you mean /{suggestion}? Type /help for the list.',
  'engine.notAllowed': '/{command} needs the {role} role. Ask an admin if you need it.',
  'engine.adminInGroup': '/{command} is an admin command: run it in a private chat with me, not in a group.',
  'engine.chooseSubcommand': '/{command} what? You can run:\n{usage}',
  'engine.failed': 'That didn’t work: {message}',
  'engine.error':
    'Something went wrong on my side (reference {reference}). Please try again; if it persists, give the reference to an admin.',

  'console.welcome': 'Persona console, as {name} ({role}). Type /help for commands, exit to leave.',
  'console.bye': 'Bye.',

  'role.viewer': 'viewer',
  'role.operator': 'operator',
  'role.admin': 'admin',

  'help.summary': 'what you can do here, or how to use one command',
  'help.title': 'Hi {name} ({role}). Commands you can run:',
  'help.footer':
    'Audiences use the segment language: tag:loyal AND city:Shanghai · 标签:忠实用户 且 城市:上海 · lifecycle:dormant AND event:purchase in 90d. /help expression explains it; /help <command> shows a command’s usage.',
  'help.expression.title': 'Expressions (English or Chinese words; values below are from your data):',
  'help.expression.tag': 'tag:{tag}',
  'help.expression.tag.meaning': 'people with the tag (its name or its label)',
  'help.expression.attribute': 'city:{city} AND gender:female',
  'help.expression.attribute.meaning':
    'attributes (上海, 上海市 and Shanghai are one city); also province, country, language, company, title',
  'help.expression.age': 'age >= 30 · ageBand:25-34',
  'help.expression.age.meaning': 'by birthday, or the age band people gave',
  'help.expression.lifecycle': 'lifecycle:dormant',
  'help.expression.lifecycle.meaning': 'potential, new, active, dormant or churned',
  'help.expression.score': 'score >= 80 · score.engagement >= 50',
  'help.expression.score.meaning': 'the total score, or one group’s',
  'help.expression.event': 'event:{event} in 30d · event:{event} >= 3 in 90d',
  'help.expression.event.meaning': 'did something: how often, within hours (h), days (d) or weeks (w)',
  'help.expression.amount': 'event:purchase sum(amount) >= 100000 in 365d',
  'help.expression.amount.meaning': 'amounts are in fen: 100000 is ¥1,000',
  'help.expression.activity': 'last_seen <= 7d · subscribed · has:phone',
  'help.expression.activity.meaning': 'last seen, following, has a contact',
  'help.expression.segment': 'segment:{segment}',
  'help.expression.segment.meaning': 'a saved segment',
  'help.expression.combine': '(tag:{tag} OR city:{city}) AND NOT lifecycle:churned',
  'help.expression.combine.meaning': 'AND, OR, NOT and brackets',
  'help.noSuchCommand': 'There is no command “{name}” that you can run. Type /help for the list.',

  'whois.summary': 'a follower’s card: contact (masked), lifecycle, score and why, tags, first touch, latest events',
  'whois.usage':
    'Whom? /whois <name | phone ending (tail:8000) | phone | email | openid | #profile id>, e.g. /whois Lin or /whois tail:8000',
  'whois.candidates':
    '{count, plural, one {# person matches} other {# people match}}{more, select, true { (the first 10 shown)} other {}}:',
  'whois.pick': 'Pick one: /whois #<id>',
  'reference.nobody':
    'Nobody found for “{reference}”. Look people up by name, phone ending (tail:8000), phone, email, openid or #id.',
  'reference.invalid': '“{reference}” is not a valid {type}.',
  'reference.ambiguous': '“{reference}” could be several people: {candidates}. Name one by its #id.',
  'card.unnamed': '(no name)',
  'card.unknownSource': 'unknown source',
  'card.lifecycle': 'Lifecycle: {stage} · follows: {following}',
  'card.notFollowing': 'no account',
  'card.score': 'Score {total}{groups}',
  'card.reasons': 'Top reasons: {reasons}',
  'card.tags': 'Tags:',
  'card.firstTouch': 'First touch: {source} on {date}',
  'card.events': 'Latest {count, plural, one {event} other {# events}}:',

  'segment.summary': 'count, preview and save audiences (segments)',
  'segment.count.summary': 'how many people an expression or saved segment selects',
  'segment.preview.summary': 'the count with lifecycle split, top tags and a masked sample',
  'segment.list.summary': 'the saved segments',
  'segment.show.summary': 'one saved segment with its count and recent trend',
  'segment.save.summary': 'save an expression under a name (use it as segment:<name>)',
  'segment.update.summary': 'give a saved segment a new expression (pushes that use it take it from then on)',
  'segment.updateUsage':
    'Usage: /segment update <name> <expression>, e.g. /segment update sh-loyal tag:loyal AND city:Shanghai',
  'segment.updated':
    'Segment {name}: {before} → {after}. Now {count, plural, one {# person} other {# people}} (was {countBefore, number}).',
  'segment.usedBy': 'Used by: {users} — they read the new expression from now on.',
  'segment.delete.summary': 'delete a saved segment nothing uses',
  'segment.needExpression': 'Which audience? e.g. /segment count tag:loyal AND city:Shanghai',
  'segment.counted': '{expression} → {count, plural, one {# person} other {# people}}',
  'segment.warning': '⚠ {warning}',
  'segment.lifecycle': 'Lifecycle: {stages}',
  'segment.topTags': 'Top tags: {tags}',
  'segment.sample': 'Sample:',
  'segment.saveUsage':
    'Usage: /segment save <name> <expression>, e.g. /segment save sh-loyal tag:loyal AND city:Shanghai',
  'segment.saved':
    'Saved segment {name}: {expression} ({count, plural, one {# person} other {# people}} now). Use it as segment:{name} or in /push {name} …',
  'segment.none': 'No saved segments yet. /segment save <name> <expression> saves one.',
  'segment.listed': '{count, plural, one {# saved segment} other {# saved segments}}:',
  'segment.frozen': 'frozen',
  'segment.nameNeeded': 'Which segment? Give its name (/segment list shows them).',
  'segment.countNow': 'Now: {count, plural, one {# person} other {# people}}',
  'segment.frozenSince': 'A static list since {at}.',
  'segment.trend': 'Last days: {trend}',
  'segment.deleted': 'Deleted segment {name}.',

  'tags.summary': 'the tag taxonomy with how many people hold each tag',
  'tags.none': 'Nobody holds a tag yet.',
  'tags.title': '{count, plural, one {# tag} other {# tags}} in use, by category:',
  'tags.exclusive': 'one per person',
  'tags.more': '… and {count, number} more',

  'tag.summary': 'add or remove an operator tag on one person',
  'tag.add.summary': 'give a person a tag',
  'tag.remove.summary': 'take a tag you gave away',
  'tag.usage': 'Usage: /tag add <openid | phone | email | #id> <tag>, e.g. /tag add #42 vip',
  'tag.invalid':
    '“{tag}” can’t be a tag: up to 128 characters, no control characters, no slash or blank at either end (e.g. crm/mql).',
  'tag.bulkPlanned':
    '{mode, select, add {Tagging} other {Untagging}} {count, plural, one {# person} other {# people}} of {audience} {mode, select, add {with} other {from}} {tag}: more than {limit, number}, so nothing is done yet. To go ahead, reply /confirm {code} within {minutes, plural, one {# minute} other {# minutes}}.',
  'tag.bulkDone':
    '{mode, select, add {Tagged} other {Untagged}} {changed, plural, one {# person} other {# people}} of {audience} {mode, select, add {with} other {from}} {tag} ({selected, number} selected; the others {mode, select, add {already had it} other {didn’t have it}}).',
  'tag.bulkNobody': '{audience} selects nobody: nothing to tag.',
  'tag.added': 'Tagged #{id} with {tag}.',
  'tag.alreadyHeld': '#{id} already has {tag}.',
  'tag.removed': 'Took {tag} away from #{id}.',
  'tag.notHeld': '#{id} doesn’t have {tag}.',

  'push.summary': 'plan a push to an audience; nothing is sent until you confirm',
  'push.usage':
    'Usage: /push <segment | "expression"> [name:…] [at:…] <content>, e.g. /push "tag:loyal AND city:Shanghai" 冬季新品上市，\'{{\'name|亲\'}}\'快来看看！',
  'push.planTitle': 'Plan of push #{id} “{name}”:',
  'push.everyone': 'everyone',
  'push.audience': 'Audience: {audience} → {count, plural, one {# person} other {# people}}',
  'push.channels': 'Would send: {channels}',
  'push.deferred': 'Waiting for quiet hours to end: {count, number}',
  'push.skipped': 'Skipped: {reasons}',
  'push.sendAt': 'Goes out at {at}.',
  'push.content': 'What they will read:',
  'push.message.filled': '[{channel}] filled in for #{id}, {length, plural, one {# character} other {# characters}}:',
  'push.message.fallbacks':
    '[{channel}] the same for everyone (placeholders take their fallbacks), {length, plural, one {# character} other {# characters}}:',
  'push.message.media': '[{channel}] {kind}',
  'push.message.field': '{field}: {value}',
  'push.kind.image': 'an image',
  'push.kind.news': 'an article',
  'push.kind.miniprogram': 'a mini-program card',
  'push.links.tracked': 'Links ({count, number}), clicks counted: {links}',
  'push.links.untracked': 'Links ({count, number}), clicks not counted: {links}',
  'push.fallbackForEveryone': '⚠ Nobody in the audience has a {name}: everyone reads “{fallback}” there.',
  'push.emptyForEveryone': '⚠ Nobody in the audience has a {name}, and it has no fallback: it is blank for everyone.',
  'push.fallbackForSome':
    '{name}: {holders, number} of {count, number} {holders, plural, one {has} other {have}} one; the others read “{fallback}”.',
  'push.codeUsage': 'Usage: /push code <push id> (a fresh code for a plan waiting for confirmation)',
  'push.expiresAt': 'The plan and its code expire at {at}.',
  'time.unreadable':
    'I can’t read “{text}” as a time. Write it like: tomorrow 10am, "Fri 9:30", "2026-12-04 10:00", +2h (quote a time with blanks in an option: at:"tomorrow 10am").',
  'time.no-time-of-day': '“{text}” has no time of day: add one, e.g. "Fri 9:30" or "tomorrow 10am".',
  'time.past': '“{text}” is not in the future. Write a time ahead, e.g. tomorrow 10am or +2h.',
  'push.nobody': 'Nobody to send to: nothing to confirm (the plan is cancelled).',
  'push.nobodyReached':
    'Nobody would receive it (who is skipped and why is above): nothing to confirm (the plan is cancelled).',
  'push.confirmWith':
    'Nothing has been sent. To send it, reply /confirm {code} within {minutes, plural, one {# minute} other {# minutes}}.',
  'push.name.customer_service': 'customer service',
  'push.name.mass': 'mass',
  'push.name.template': 'template',
  'push.name.queued': 'queued',
  'push.name.sending': 'sending',
  'push.name.sent': 'sent',
  'push.name.failed': 'failed',
  'push.name.skipped': 'skipped',
  'push.name.deferred': 'deferred',
  'push.name.cancelled': 'cancelled',
  'push.name.not_following': 'not following',
  'push.name.opted_out': 'opted out',
  'push.name.openid_failing': 'openid refused',
  'push.name.already_received': 'already received',
  'push.name.frequency_cap': 'frequency cap',
  'push.name.quiet_hours': 'quiet hours',
  'push.name.channel_quota': 'no channel left',

  'confirm.summary': 'send a planned push with the code its plan gave you',
  'confirm.usage': 'Usage: /confirm <the 6-digit code from the plan>',
  'confirm.none_pending':
    'You have no code waiting for confirmation (codes last {minutes, plural, one {# minute} other {# minutes}}). /push code <push id> gives a fresh one.',
  'confirm.wrong_code': 'That code is not right. Check the code in the plan and try again.',
  'confirm.too_many_tries':
    'Too many wrong codes: your codes no longer work (the pushes still wait). /push code <push id> gives a fresh one: {pushes}.',
  'confirm.sending':
    'Confirmed: push #{id} is going out; {count, plural, one {# person} other {# people}} should receive it. /status {id} shows progress.',
  'confirm.scheduled':
    'Confirmed: push #{id} goes out at {at}; {count, plural, one {# person} other {# people}} should receive it. /status {id} shows it.',
  'confirm.skippedToo': '({count, plural, one {# more is} other {# more are}} skipped by the sending rules.)',

  'status.summary': 'where a push stands (the latest without an id)',
  'status.usage': 'Usage: /status [push id]',
  'status.title': 'Push #{id} “{name}”: {status}',
  'status.notConfirmed': 'Not confirmed yet (planned for {count, plural, one {# person} other {# people}}).',
  'status.recipients': 'Recipients {count, number}: {statuses}',
  'status.channels': 'Sent per channel: {channels}',
  'status.failed': 'Failed (WeChat codes): {codes}',
  'status.wechatMass':
    'WeChat reports for mass sends: {sent, number} sent, {errors, plural, one {# error} other {# errors}} ({batches} batches reported)',
  'status.planned': 'planned',
  'status.scheduled': 'scheduled',
  'status.expired': 'expired (/push code {id} plans it again)',
  'status.sending': 'sending',
  'status.active': 'active',
  'status.done': 'done',
  'status.cancelled': 'cancelled',

  'cancel.summary': 'stop a push: what hasn’t gone out won’t',
  'cancel.usage': 'Usage: /cancel <push id>',
  'cancel.done': 'Cancelled push #{id} “{name}”: nothing more goes out.',

  'pushes.summary': 'the latest pushes',
  'pushes.none': 'No pushes yet.',
  'pushes.title': 'Latest pushes (status · recipients):',

  'stats.summary': 'followers, newcomers, lifecycle, top tags and this week’s pushes',
  'stats.followers': 'Followers: {count, number} (new today {today, number}, this week {week, number})',
  'stats.lifecycle': 'Lifecycle: {stages}',
  'stats.topTags': 'Top tags: {tags}',
  'stats.pushes':
    'This week: {pushes, plural, one {# push} other {# pushes}} confirmed, {sent, number} sent, {failed, number} failed',

  'rules.summary': 'the scoring and tag rules, and what a change would do',
  'rules.show.summary': 'the rules in force',
  'rules.preview.summary': 'what a change to one rule would do (nothing is changed)',
  'rules.scoring': 'Scoring rules ({count, number}):',
  'rules.tags': 'Tag rules ({count, number}):',
  'rules.previewHint': 'What if? /rules preview <rule id> <points> or /rules preview <tag> <expression>',
  'rules.previewUsage':
    'Usage: /rules preview <scoring rule id> <points>, or /rules preview <tag> <expression>, e.g. /rules preview loyal score >= 80',
  'rules.pointsNeeded': 'Expected the new points for {rule}, e.g. /rules preview {rule} 12',
  'rules.noSuchRule': 'No scoring rule or rule tag named {name}. /rules lists them.',
  'rules.expressionNeeded': 'Expected the new expression for {tag}, e.g. /rules preview {tag} score >= 80',
  'rules.previewScores':
    'Scores: {changed, plural, one {# person} other {# people}} would change; mean {before} → {after}',
  'rules.previewTags': 'Tags (holders now → gain, lose):',
  'rules.previewNoTags': 'No tag would move.',
  'rules.previewNothingChanged': 'Nothing has been changed: this is a what-if.',

  'ask.summary': 'ask in plain words who you mean; get the expression and its count (nothing is sent)',
  'ask.usage': 'Ask a question, e.g. /ask how many dormant followers in Shanghai like sports?',
  'ask.answer':
    'I read that as:\n{expression}\n→ {count, plural, one {# person} other {# people}}\nReuse it: /segment save <name> {expression}, or /push "{expression}" <content>',
  'draft.summary': 'three copy variants for an audience, from its traits (no personal data goes to the model)',
  'draft.usage':
    'Usage: /draft <segment | "expression"> <brief>, e.g. /draft "lifecycle:dormant" win them back with a 20% coupon',
  'draft.title': 'Three drafts for {expression}:',
  'draft.reuse': 'Pick one and send it with /push.',
  'ai.off':
    'AI is off here (no OPENAI_API_KEY is set). Everything else works: /help shows the commands, and expressions can be written by hand.',
  'ai.quota':
    'You have asked the model as often as allowed today. Try again tomorrow, or write the expression by hand.',
  'ai.unavailable': 'The model could not be reached ({detail}). Please try again later.',
  'ai.invalid':
    'The model’s answer was not usable, so nothing was done with it: {detail}. Try rephrasing the question.',
} as const;
