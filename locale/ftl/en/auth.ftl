## Logging in, and choosing a new password when it is forgotten.

auth-email = E-mail
auth-password = Password
auth-login-title = Log in
auth-login-heading = Log in to Switchboard
auth-login-button = Log in
auth-forgot-link = Forgot your password?
auth-login-reset-done = Your new password is set, and every other session is logged out. Log in with it.
auth-login-expired = This form had expired. Please log in again.
auth-login-wrong = Wrong e-mail or password.
auth-too-many-logins = Too many failed logins. Wait { $minutes } minutes before trying again.

auth-password-too-short = the password must have at least { $min } characters
auth-password-too-long = the password must have at most { $max } characters
auth-passwords-differ = The two passwords differ.

auth-reset-title = Forgot your password?
auth-reset-intro = Give the e-mail address of your account: we send you a link to choose a new password. The link works once, for one hour.
auth-reset-send = Send me a link
auth-back-to-login = Back to log in
auth-reset-expired-form = This form had expired. Please try again.
auth-reset-email-missing = Give the e-mail address of your account.
auth-reset-too-many = Too many password reset requests. Wait { $minutes } minutes before asking again, and check your mailbox (and its spam folder) for the link already sent.
auth-reset-deactivated = this user is deactivated: reactivate them before sending a reset link

auth-reset-sent-title = Check your mailbox
auth-reset-sent = If an account uses this address, we have sent it a link to choose a new password. The link works once, for one hour.
auth-reset-sent-nothing = Nothing after a few minutes? Look in the spam folder, check the address, or ask an administrator of your company to send you a link.

auth-link-expired-title = This link has expired
auth-link-used-title = This link has already been used
auth-link-replaced-title = This link was replaced
auth-link-invalid-title = This link is not valid
auth-link-expired = This password reset link has expired; ask for a new one.
auth-link-used = This password reset link has already been used; ask for a new one if you need to.
auth-link-replaced = This password reset link was replaced by a newer one; use the latest e-mail.
auth-link-invalid = This password reset link is not valid.
auth-link-no-reset = There is no password reset in progress for this user.
auth-link-ask-again = Ask for a new link

auth-choose-title = Choose a new password
auth-choose-hello = Hello { $first_name }, choose the new password of your Switchboard account. You will be logged out everywhere else.
auth-choose-password = New password (at least { $min } characters)
auth-choose-confirm = The same password again
auth-choose-submit = Set my new password
auth-choose-expired = This form had expired. Please type your new password again.
