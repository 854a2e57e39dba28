
# bash: activation runs before each prompt (after a cd, too).
case ";${PROMPT_COMMAND-};" in
  *";_seedbed_hook;"*) ;;
  *) PROMPT_COMMAND="_seedbed_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}" ;;
esac
