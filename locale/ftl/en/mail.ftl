## The e-mails, written in their recipient’s language: an invitation, a password reset link, an offline message and its answer.

mail-hello = Hello { $first_name },

mail-invitation-subject = You are invited to { $company } on Switchboard
mail-invitation-intro = { $company } has created a Switchboard account for you. Choose your password here:
mail-invitation-expiry = The link works once and expires on { $expires_at }. If it has expired, ask your administrator to send a new one.

mail-reset-subject = Reset your Switchboard password
mail-reset-intro = Someone asked to reset the password of your Switchboard account. Choose a new password here:
mail-reset-expiry = The link works once and expires on { $expires_at }. Choosing a new password logs you out everywhere else.
mail-reset-not-you = If you did not ask for this, ignore this e-mail: your password stays as it is.

mail-offline-subject = { $site }: a message from { $visitor }
mail-offline-intro = { $visitor } left a message on { $site } on { $at }, while nobody was online:
mail-offline-answer = Read it and answer it by e-mail from the history:
mail-offline-why = You receive this because you answer the chats of { $site } or administer its company.

mail-answer-subject = Your message to { $site }
mail-answer-signature = { $agent }, { $site }
mail-answer-you-wrote = On { $at }, you wrote:

mail-transcript-subject = Your chat with { $site }
mail-transcript-intro = Here is a copy of your chat with { $site } of { $at }:
mail-transcript-you = You
mail-transcript-line = [{ $time }] { $who }: { $text }
mail-transcript-why = You receive this because you asked { $site } for a copy at the end of the chat.
