
# zsh: activation runs before each prompt and on each directory change.
autoload -Uz add-zsh-hook
add-zsh-hook precmd _seedbed_hook
add-zsh-hook chpwd _seedbed_hook
# Completion needs zsh's completion system (most ~/.zshrc load it already).
(( $+functions[compdef] )) || { autoload -Uz compinit && compinit -u; }
