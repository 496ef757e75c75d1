/* placeholder, replaced by the command table */
int main(void)
{
    return 0;
}
